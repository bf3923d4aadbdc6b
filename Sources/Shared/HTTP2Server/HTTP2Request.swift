/// A complete request as the HTTP/2 layer hands it up: pseudo-headers split out, the body buffered.
public struct HTTP2Request: Sendable {
    public var method: String
    public var path: String
    /// Regular (non-pseudo) header fields in arrival order.
    public var headers: [HTTPField]
    public var body: [UInt8]
    /// True when the body grew past the server's limit: `body` is then empty and the rest was discarded,
    /// so the handler must refuse the request.
    public var bodyLimitExceeded: Bool
    /// True when all connections together already hold as many request bytes as the server allows: `body` is
    /// empty and the handler must refuse the request (the client may retry shortly).
    public var bufferBudgetExhausted: Bool
    /// The client's address and port (`203.0.113.7:53124`), for log lines; empty when unknown.
    public var peer: String
    /// The body's share of the server's request-buffer budget, when the server counts it: a handler that is done
    /// with the body before it returns gives it back early (`RequestBufferLease.release()`).
    public var bufferLease: RequestBufferLease?

    public init(
        method: String,
        path: String,
        headers: [HTTPField],
        body: [UInt8],
        bodyLimitExceeded: Bool = false,
        bufferBudgetExhausted: Bool = false,
        peer: String = ""
    ) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.bodyLimitExceeded = bodyLimitExceeded
        self.bufferBudgetExhausted = bufferBudgetExhausted
        self.peer = peer
    }

    /// The first value of header `name` (lower-case).
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }
}
