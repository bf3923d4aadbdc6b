/// What sits above the HTTP/2 layer: answers a request through its writer, knowing nothing of frames or sockets.
///
/// When `handle` returns, an unanswered request gets 500, an open stream of parts is finished without trailers,
/// and the request's body bytes go back to the server's `RequestBufferBudget`, unless the handler gave them back
/// sooner (`HTTP2Request.bufferLease`). `handle` owns the request: the server keeps no copy of its body, so the
/// bytes are freed as soon as the handler drops them.
public protocol HTTP2RequestHandler: Sendable {
    func handle(_ request: consuming HTTP2Request, response: HTTP2ResponseWriter) async

    /// Called on the connection's thread as soon as a request's HEADERS are complete, before any of its body is
    /// buffered (`request.body` is empty): a response returned here answers the request at once, its body is
    /// discarded unread and `handle` is not called. For checks that need only the headers (authentication); must
    /// not block. The default answers nothing.
    func screen(_ request: HTTP2Request) -> HTTP2Response?
}

extension HTTP2RequestHandler {
    public func screen(_ request: HTTP2Request) -> HTTP2Response? { nil }
}
