import CNghttp2
import EventCore

extension HTTP2Connection {
    /// Passes a complete request to the handler in a task; the response comes back in parts through the inbox.
    /// When the handler returns, an unanswered request gets 500 and an open response is finished. The request's
    /// bytes stay reserved in the budget until the handler gives them back or returns, even when the client resets
    /// the stream or disconnects meanwhile (the handler still holds them). The task hands the request over
    /// (`Handoff`) rather than holding it, so the body lives only as long as the handler keeps it.
    func dispatch(_ stream: HTTP2Stream) {
        stream.dispatched = true
        var request = stream.request(peer: peer)
        stream.body = []
        let lease = RequestBufferLease(budget: budget, bytes: stream.reservedBytes)
        stream.reservedBytes = 0
        request.bufferLease = lease
        let streamID = stream.id
        let writer = HTTP2ResponseWriter { [weak self] parts in self?.enqueue(parts, streamID: streamID) }
        stream.writer = writer
        if isDraining { writer.interrupt(.serverDraining) }
        let handler = environment.handler
        let handoff = Handoff(request)
        let loop = self.loop
        // On this connection's loop (`EventLoop+TaskExecutor.swift`); the task keeps the loop alive while it runs.
        Task(executorPreference: loop) {
            defer { withExtendedLifetime(loop) {} }
            await handler.handle(handoff.take(), response: writer)
            lease.release()
            if writer.isStreaming {
                writer.finish()
            } else if !writer.isFinished {
                writer.send(HTTP2Response(status: 500))
            }
        }
    }

    /// Lets the handler answer a request from its HEADERS alone (`HTTP2RequestHandler.screen`), before any of its
    /// body is buffered; the body is then ignored and the client told to stop sending (see `onFrameSend`).
    func screen(_ stream: HTTP2Stream) {
        guard let response = environment.handler.screen(stream.request(peer: peer)) else { return }
        stream.dispatched = true
        let streamID = stream.id
        let writer = HTTP2ResponseWriter { [weak self] parts in self?.enqueue(parts, streamID: streamID) }
        stream.writer = writer
        writer.send(response)
    }

    /// Applies one part of a stream's response (loop thread only).
    func apply(_ part: HTTP2ResponsePart, to stream: HTTP2Stream) throws(HTTP2Error) {
        switch part {
        case .head(let status, let headers, let endsStream):
            let statusField = HTTPField(":status", String(status))
            let result: Int32
            if endsStream {
                result = withNameValues(headers, first: statusField) {
                    nghttp2_submit_response(session, stream.id, $0, $1, nil)
                }
            } else {
                var provider = eventgrpc_nghttp2_data_provider(nil, readResponseBody)
                result = withNameValues(headers, first: statusField) {
                    nghttp2_submit_response(session, stream.id, $0, $1, &provider)
                }
            }
            if result != 0 {
                throw HTTP2Error(
                    .sessionFailed,
                    "cannot submit a response: \(String(cString: nghttp2_strerror(result)))"
                )
            }
        case .data(let bytes):
            stream.outgoing.append(contentsOf: bytes)
            try resumeData(of: stream)
        case .end(let trailers):
            stream.outgoingTrailers = trailers
            try resumeData(of: stream)
        }
    }

    private func resumeData(of stream: HTTP2Stream) throws(HTTP2Error) {
        guard stream.dataDeferred else { return }
        stream.dataDeferred = false
        let result = nghttp2_session_resume_data(session, stream.id)
        if result != 0 {
            throw HTTP2Error(.sessionFailed, "cannot resume a response: \(String(cString: nghttp2_strerror(result)))")
        }
    }
}

/// Copies header fields (`first`, when given, ahead of `fields`) into one buffer that `nghttp2_nv` entries point
/// into, for the duration of `body` (nghttp2 copies them on submit). Both live in temporary (stack) storage: a
/// response's headers and trailers cost no allocation here.
func withNameValues<Result>(
    _ fields: [HTTPField],
    first: HTTPField? = nil,
    _ body: (UnsafePointer<nghttp2_nv>, Int) -> Result
) -> Result {
    let count = fields.count + (first == nil ? 0 : 1)
    let total = fields.reduce(first.map { $0.name.utf8.count + $0.value.utf8.count } ?? 0) {
        $0 + $1.name.utf8.count + $1.value.utf8.count
    }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(total, 1)) { storage in
        withUnsafeTemporaryAllocation(of: nghttp2_nv.self, capacity: max(count, 1)) { entries in
            var cursor = storage.baseAddress!
            var index = 0
            func add(_ field: HTTPField) {
                let name = cursor
                for byte in field.name.utf8 {
                    cursor.pointee = byte
                    cursor += 1
                }
                let value = cursor
                for byte in field.value.utf8 {
                    cursor.pointee = byte
                    cursor += 1
                }
                entries.initializeElement(
                    at: index,
                    to: nghttp2_nv(
                        name: name,
                        value: value,
                        namelen: field.name.utf8.count,
                        valuelen: field.value.utf8.count,
                        flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)
                    )
                )
                index += 1
            }
            if let first { add(first) }
            for field in fields { add(field) }
            return body(UnsafePointer(entries.baseAddress!), count)
        }
    }
}

/// nghttp2's data provider: copies the next chunk of the stream's pending body. With nothing pending it defers
/// until more comes, or, once the response ended, closes the stream or submits the trailers (allowed from inside
/// this callback).
private func readResponseBody(
    _ session: OpaquePointer?,
    _ streamID: Int32,
    _ buffer: UnsafeMutablePointer<UInt8>?,
    _ length: Int,
    _ flags: UnsafeMutablePointer<UInt32>?,
    _ source: UnsafeMutablePointer<nghttp2_data_source>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int {
    let owner = Unmanaged<HTTP2Connection>.fromOpaque(userData!).takeUnretainedValue()
    guard let stream = owner.streams[streamID], let buffer, let flags else {
        return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
    }
    let count = min(length, stream.outgoing.count - stream.outgoingOffset)
    if count > 0 {
        stream.outgoing.withUnsafeBufferPointer { body in
            buffer.update(from: body.baseAddress! + stream.outgoingOffset, count: count)
        }
        stream.outgoingOffset += count
        if stream.outgoingOffset == stream.outgoing.count {
            stream.outgoing = []
            stream.outgoingOffset = 0
        }
    }
    guard stream.outgoing.isEmpty else { return count }
    guard let trailers = stream.outgoingTrailers else {
        if count > 0 { return count }
        stream.dataDeferred = true
        return Int(NGHTTP2_ERR_DEFERRED.rawValue)
    }
    flags.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue)
    if !trailers.isEmpty {
        flags.pointee |= UInt32(NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue)
        let submitted = withNameValues(trailers) { nghttp2_submit_trailer(session, streamID, $0, $1) }
        if submitted != 0 { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
    }
    return count
}
