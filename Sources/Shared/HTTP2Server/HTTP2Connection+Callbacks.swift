import CNghttp2
import Synchronization

/// Builds server sessions whose callbacks find their `HTTP2Connection` through the session's user data.
/// The connection outlives its session (it deletes the session, then its allocator, in `deinit`).
enum HTTP2SessionFactory {
    static func makeServerSession(
        for connection: HTTP2Connection,
        memory: UnsafeMutablePointer<eventgrpc_lean_memory>
    ) throws(HTTP2Error) -> OpaquePointer {
        var callbacks: OpaquePointer?
        guard nghttp2_session_callbacks_new(&callbacks) == 0, let callbacks else {
            throw HTTP2Error(.sessionFailed, "out of memory creating nghttp2 callbacks")
        }
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, onBeginHeaders)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeader)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, onDataChunk)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrame)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamClose)
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, onFrameSend)
        var session: OpaquePointer?
        let userData = Unmanaged.passUnretained(connection).toOpaque()
        let allocator = eventgrpc_lean_memory_allocator(memory)
        guard nghttp2_session_server_new3(&session, callbacks, userData, nil, allocator) == 0, let session else {
            throw HTTP2Error(.sessionFailed, "out of memory creating an nghttp2 session")
        }
        return session
    }
}

private func connection(_ userData: UnsafeMutableRawPointer?) -> HTTP2Connection {
    Unmanaged<HTTP2Connection>.fromOpaque(userData!).takeUnretainedValue()
}

private func onBeginHeaders(
    _ session: OpaquePointer?,
    _ frame: UnsafePointer<nghttp2_frame>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame, frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue),
        frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST
    else { return 0 }
    let streamID = frame.pointee.hd.stream_id
    let owner = connection(userData)
    if owner.streams.updateValue(HTTP2Stream(id: streamID), forKey: streamID) == nil {
        owner.environment.metrics.openStreams.add(1, ordering: .relaxed)
    }
    owner.lastStreamActivity = .now
    return 0
}

private func onHeader(
    _ session: OpaquePointer?,
    _ frame: UnsafePointer<nghttp2_frame>?,
    _ name: UnsafePointer<UInt8>?,
    _ nameLength: Int,
    _ value: UnsafePointer<UInt8>?,
    _ valueLength: Int,
    _ flags: UInt8,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    let owner = connection(userData)
    guard let frame, let name, let value, let stream = owner.streams[frame.pointee.hd.stream_id], !stream.dispatched
    else { return 0 }
    stream.headerListBytes += nameLength + valueLength + 32
    if stream.headerListBytes > owner.configuration.maxHeaderListBytes {
        return Int32(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)  // resets the stream
    }
    let fieldName = String(decoding: UnsafeBufferPointer(start: name, count: nameLength), as: UTF8.self)
    let fieldValue = String(decoding: UnsafeBufferPointer(start: value, count: valueLength), as: UTF8.self)
    switch fieldName {
    case ":method": stream.method = fieldValue
    case ":path": stream.path = fieldValue
    case ":scheme", ":authority": break
    default:
        if stream.headers.isEmpty { stream.headers.reserveCapacity(8) }  // a gRPC call sends about 6
        stream.headers.append(HTTPField(fieldName, fieldValue))
    }
    return 0
}

private func onDataChunk(
    _ session: OpaquePointer?,
    _ flags: UInt8,
    _ streamID: Int32,
    _ data: UnsafePointer<UInt8>?,
    _ length: Int,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    let owner = connection(userData)
    guard let stream = owner.streams[streamID], !stream.dispatched, let data else { return 0 }
    if stream.body.count + length > owner.configuration.maxRequestBodyBytes {
        stream.body = []
        stream.bodyLimitExceeded = true
        owner.dispatch(stream)
        return 0
    }
    guard owner.budget.reserve(length) else {
        stream.body = []
        stream.bufferBudgetExhausted = true
        owner.dispatch(stream)
        return 0
    }
    stream.reservedBytes += length
    stream.body.append(contentsOf: UnsafeBufferPointer(start: data, count: length))
    return 0
}

private func onFrame(
    _ session: OpaquePointer?,
    _ frame: UnsafePointer<nghttp2_frame>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame else { return 0 }
    let type = frame.pointee.hd.type
    let owner = connection(userData)
    if type == UInt8(NGHTTP2_SETTINGS.rawValue) {
        owner.prefaceDeadline = nil  // the client's preface is complete
    }
    if type == UInt8(NGHTTP2_HEADERS.rawValue), frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST,
        let stream = owner.streams[frame.pointee.hd.stream_id], !stream.dispatched
    {
        owner.screen(stream)
    }
    let endsStream = frame.pointee.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
    guard endsStream, type == UInt8(NGHTTP2_DATA.rawValue) || type == UInt8(NGHTTP2_HEADERS.rawValue) else {
        return 0
    }
    if let stream = owner.streams[frame.pointee.hd.stream_id] {
        stream.requestEnded = true
        if !stream.dispatched { owner.dispatch(stream) }
    }
    return 0
}

/// After a response ended while the request is still open (an early error such as a too large message),
/// RST_STREAM(NO_ERROR) tells the client to stop sending, as PROTOCOL-HTTP2.md asks.
private func onFrameSend(
    _ session: OpaquePointer?,
    _ frame: UnsafePointer<nghttp2_frame>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame, frame.pointee.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0 else { return 0 }
    let type = frame.pointee.hd.type
    guard type == UInt8(NGHTTP2_DATA.rawValue) || type == UInt8(NGHTTP2_HEADERS.rawValue),
        let stream = connection(userData).streams[frame.pointee.hd.stream_id], !stream.requestEnded
    else { return 0 }
    stream.requestEnded = true
    return nghttp2_submit_rst_stream(
        session,
        UInt8(NGHTTP2_FLAG_NONE.rawValue),
        stream.id,
        UInt32(NGHTTP2_NO_ERROR.rawValue)
    )
}

private func onStreamClose(
    _ session: OpaquePointer?,
    _ streamID: Int32,
    _ errorCode: UInt32,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    let owner = connection(userData)
    if let stream = owner.streams.removeValue(forKey: streamID) {
        stream.writer?.interrupt(.closed)
        owner.budget.release(stream.reservedBytes)
        owner.environment.metrics.openStreams.subtract(1, ordering: .relaxed)
        owner.lastStreamActivity = .now
    }
    return 0
}
