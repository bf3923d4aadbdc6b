/// One header field, name lower-cased as HTTP/2 requires.
public struct HTTPField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

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

    public init(
        method: String,
        path: String,
        headers: [HTTPField],
        body: [UInt8],
        bodyLimitExceeded: Bool = false,
        bufferBudgetExhausted: Bool = false
    ) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.bodyLimitExceeded = bodyLimitExceeded
        self.bufferBudgetExhausted = bufferBudgetExhausted
    }

    /// The first value of header `name` (lower-case).
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }
}

/// A complete response: headers, an optional body, optional trailers.
///
/// With an empty body and no trailers the stream ends with the HEADERS frame (a gRPC "trailers-only" answer
/// puts its status fields in `headers`).
public struct HTTP2Response: Sendable {
    public var status: Int
    public var headers: [HTTPField]
    public var body: [UInt8]
    public var trailers: [HTTPField]

    public init(status: Int, headers: [HTTPField] = [], body: [UInt8] = [], trailers: [HTTPField] = []) {
        self.status = status
        self.headers = headers
        self.body = body
        self.trailers = trailers
    }
}

/// What sits above the HTTP/2 layer: answers a request through its writer, knowing nothing of frames or sockets.
///
/// When `handle` returns, the response ends: a writer that was never used answers 500, an open stream of parts
/// is finished without trailers.
public protocol HTTP2RequestHandler: Sendable {
    func handle(_ request: HTTP2Request, response: HTTP2ResponseWriter) async
}
