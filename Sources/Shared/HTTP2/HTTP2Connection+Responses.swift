import CNghttp2

extension HTTP2Connection {
    /// Passes a complete request to the handler in a task; its response returns through `respond`.
    func dispatch(_ stream: HTTP2Stream) {
        stream.dispatched = true
        let request = stream.request()
        stream.body = []
        let streamID = stream.id
        let handler = self.handler
        Task {
            let response = await handler.handle(request)
            self.respond(streamID: streamID, with: response)
        }
    }

    /// Queues HEADERS, then DATA from a provider, then trailers (or ends with the headers when there is nothing
    /// else to send).
    func submit(_ response: HTTP2Response, on stream: HTTP2Stream) throws(HTTP2Error) {
        let fields = [HTTPField(":status", String(response.status))] + response.headers
        let result: Int32
        if response.body.isEmpty && response.trailers.isEmpty {
            result = withNameValues(fields) { nghttp2_submit_response(session, stream.id, $0, $1, nil) }
        } else {
            stream.responseBody = response.body
            stream.responseOffset = 0
            stream.responseTrailers = response.trailers
            var provider = eventgrpc_nghttp2_data_provider(nil, readResponseBody)
            result = withNameValues(fields) { nghttp2_submit_response(session, stream.id, $0, $1, &provider) }
        }
        if result != 0 {
            throw HTTP2Error(.sessionFailed, "cannot submit a response: \(String(cString: nghttp2_strerror(result)))")
        }
    }
}

/// Copies header fields into one buffer that `nghttp2_nv` entries point into, for the duration of `body`
/// (nghttp2 copies them on submit).
func withNameValues<Result>(
    _ fields: [HTTPField], _ body: (UnsafePointer<nghttp2_nv>, Int) -> Result
) -> Result {
    let total = fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
    let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: max(total, 1))
    defer { storage.deallocate() }
    var entries: [nghttp2_nv] = []
    entries.reserveCapacity(fields.count)
    var cursor = storage
    for field in fields {
        let name = cursor
        for byte in field.name.utf8 { cursor.pointee = byte; cursor += 1 }
        let value = cursor
        for byte in field.value.utf8 { cursor.pointee = byte; cursor += 1 }
        entries.append(
            nghttp2_nv(
                name: name, value: value, namelen: field.name.utf8.count, valuelen: field.value.utf8.count,
                flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)))
    }
    return entries.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
}

/// nghttp2's data provider: copies the next chunk of the stream's response body; at the end either closes the
/// stream or, when there are trailers, submits them (allowed from inside this callback).
private func readResponseBody(
    _ session: OpaquePointer?, _ streamID: Int32, _ buffer: UnsafeMutablePointer<UInt8>?, _ length: Int,
    _ flags: UnsafeMutablePointer<UInt32>?, _ source: UnsafeMutablePointer<nghttp2_data_source>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int {
    let owner = Unmanaged<HTTP2Connection>.fromOpaque(userData!).takeUnretainedValue()
    guard let stream = owner.streams[streamID], let buffer, let flags else {
        return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
    }
    let count = min(length, stream.responseBody.count - stream.responseOffset)
    stream.responseBody.withUnsafeBufferPointer { body in
        buffer.update(from: body.baseAddress! + stream.responseOffset, count: count)
    }
    stream.responseOffset += count
    if stream.responseOffset == stream.responseBody.count {
        flags.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue)
        if !stream.responseTrailers.isEmpty {
            flags.pointee |= UInt32(NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue)
            let submitted = withNameValues(stream.responseTrailers) { nghttp2_submit_trailer(session, streamID, $0, $1) }
            if submitted != 0 { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
        }
    }
    return count
}
