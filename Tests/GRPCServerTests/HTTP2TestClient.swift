import CNghttp2
import Foundation

@testable import GRPCServer
@testable import HTTP2Server

/// A minimal nghttp2 client session over a `SocketPairServer`: submits requests whose bodies go out in the DATA
/// frames the test chooses, and collects each stream's response.
final class HTTP2TestClient {
    struct Exchange {
        var headers: [HTTPField] = []
        var body: [UInt8] = []
        var trailers: [HTTPField] = []
        /// The RST_STREAM or closing error code once the stream closed.
        var closeCode: UInt32?
        /// Body chunks still to send, one DATA frame each; nil entries defer (the request stays open).
        var pending: [[UInt8]] = []
        var endRequest = true

        func field(_ name: String) -> String? { (headers + trailers).first { $0.name == name }?.value }
    }

    let server: SocketPairServer
    var session: OpaquePointer?
    var exchanges: [Int32: Exchange] = [:]
    var goawayReceived = false
    var peerClosed = false

    init(server: SocketPairServer) throws {
        self.server = server
        var callbacks: OpaquePointer?
        nghttp2_session_callbacks_new(&callbacks)
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_header_callback(callbacks, clientOnHeader)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, clientOnData)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, clientOnClose)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, clientOnFrame)
        guard nghttp2_session_client_new(&session, callbacks, Unmanaged.passUnretained(self).toOpaque()) == 0 else {
            throw HTTP2Error(.sessionFailed, "cannot create a client session")
        }
        nghttp2_submit_settings(session, 0, nil, 0)
    }

    deinit { nghttp2_session_del(session) }

    /// Starts a POST; `chunks` go out one DATA frame each; `end` false leaves the request open.
    @discardableResult
    func post(_ path: String, headers: [HTTPField], chunks: [[UInt8]], end: Bool = true) -> Int32 {
        let fields =
            [
                HTTPField(":method", "POST"), HTTPField(":scheme", "http"), HTTPField(":path", path),
                HTTPField(":authority", "test"),
            ] + headers
        var provider = eventgrpc_nghttp2_data_provider(nil, clientReadBody)
        let id = withNameValues(fields) { nghttp2_submit_request(session, nil, $0, $1, &provider, nil) }
        exchanges[id] = Exchange(pending: chunks, endRequest: end)
        return id
    }

    /// Cancels a stream (RST_STREAM CANCEL), as a client giving up on a call does.
    func reset(_ id: Int32) {
        nghttp2_submit_rst_stream(session, 0, id, UInt32(NGHTTP2_CANCEL.rawValue))
    }

    /// Exchanges frames until `done` holds, the server closes, or `seconds` pass; returns whether `done` held.
    /// Yields between polls: the server's handlers run on the same cooperative thread pool as the test.
    @discardableResult
    func run(seconds: Double = 30, until done: (HTTP2TestClient) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if done(self) { return true }
            var data: UnsafePointer<UInt8>?
            var length = nghttp2_session_mem_send(session, &data)
            while length > 0, let bytes = data {
                guard server.write(Array(UnsafeBufferPointer(start: bytes, count: length))) else {
                    peerClosed = true
                    break
                }
                length = nghttp2_session_mem_send(session, &data)
            }
            await Task.yield()
            guard let received = server.read(milliseconds: 2) else {
                peerClosed = true
                return done(self)
            }
            if !received.isEmpty && nghttp2_session_mem_recv(session, received, received.count) < 0 {
                peerClosed = true
                return done(self)
            }
        }
        return done(self)
    }

    func resume(_ id: Int32, chunks: [[UInt8]], end: Bool) {
        exchanges[id]?.pending += chunks
        exchanges[id]?.endRequest = end
        nghttp2_session_resume_data(session, id)
    }
}

private func client(_ userData: UnsafeMutableRawPointer?) -> HTTP2TestClient {
    Unmanaged<HTTP2TestClient>.fromOpaque(userData!).takeUnretainedValue()
}

private func clientReadBody(
    _ session: OpaquePointer?,
    _ streamID: Int32,
    _ buffer: UnsafeMutablePointer<UInt8>?,
    _ length: Int,
    _ flags: UnsafeMutablePointer<UInt32>?,
    _ source: UnsafeMutablePointer<nghttp2_data_source>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int {
    let owner = client(userData)
    guard var exchange = owner.exchanges[streamID] else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
    guard !exchange.pending.isEmpty else {
        if exchange.endRequest {
            flags!.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue)
            return 0
        }
        return Int(NGHTTP2_ERR_DEFERRED.rawValue)
    }
    var chunk = exchange.pending.removeFirst()
    if chunk.count > length {
        exchange.pending.insert(Array(chunk[length...]), at: 0)
        chunk = Array(chunk[..<length])
    }
    chunk.withUnsafeBufferPointer { buffer!.update(from: $0.baseAddress!, count: $0.count) }
    if exchange.pending.isEmpty && exchange.endRequest { flags!.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue) }
    owner.exchanges[streamID] = exchange
    return chunk.count
}

private func clientOnHeader(
    _ session: OpaquePointer?,
    _ frame: UnsafePointer<nghttp2_frame>?,
    _ name: UnsafePointer<UInt8>?,
    _ nameLength: Int,
    _ value: UnsafePointer<UInt8>?,
    _ valueLength: Int,
    _ flags: UInt8,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    let field = HTTPField(
        String(decoding: UnsafeBufferPointer(start: name, count: nameLength), as: UTF8.self),
        String(decoding: UnsafeBufferPointer(start: value, count: valueLength), as: UTF8.self)
    )
    let id = frame!.pointee.hd.stream_id
    if frame!.pointee.headers.cat == NGHTTP2_HCAT_HEADERS {
        client(userData).exchanges[id]?.trailers.append(field)
    } else {
        client(userData).exchanges[id]?.headers.append(field)
    }
    return 0
}

private func clientOnData(
    _ session: OpaquePointer?,
    _ flags: UInt8,
    _ streamID: Int32,
    _ data: UnsafePointer<UInt8>?,
    _ length: Int,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    client(userData).exchanges[streamID]?.body.append(contentsOf: UnsafeBufferPointer(start: data, count: length))
    return 0
}

private func clientOnClose(
    _ session: OpaquePointer?,
    _ streamID: Int32,
    _ errorCode: UInt32,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    client(userData).exchanges[streamID]?.closeCode = errorCode
    return 0
}

private func clientOnFrame(
    _ session: OpaquePointer?,
    _ frame: UnsafePointer<nghttp2_frame>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    if frame!.pointee.hd.type == UInt8(NGHTTP2_GOAWAY.rawValue) { client(userData).goawayReceived = true }
    return 0
}
