/// What sits above the HTTP/2 layer: answers a request through its writer, knowing nothing of frames or sockets.
///
/// When `handle` returns, the response ends: a writer that was never used answers 500, an open stream of parts
/// is finished without trailers.
public protocol HTTP2RequestHandler: Sendable {
    func handle(_ request: HTTP2Request, response: HTTP2ResponseWriter) async
}
