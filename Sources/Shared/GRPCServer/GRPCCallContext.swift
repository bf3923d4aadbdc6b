public import HTTP2Server

/// What a handler sees of its call besides the request message.
public struct GRPCCallContext: Sendable {
    public var path: String
    public var headers: [HTTPField]
    /// From `grpc-timeout`, when the client set one.
    public var timeout: Duration?
    /// The client's `address:port`, for log lines; empty when unknown.
    public var peer: String
    /// The client's name from its bearer token (`GRPCBearerAuth`); empty without authentication.
    public var client = ""

    public init(path: String, headers: [HTTPField], timeout: Duration? = nil, peer: String = "") {
        self.path = path
        self.headers = headers
        self.timeout = timeout
        self.peer = peer
    }

    /// The first value of metadata `name` (lower-case).
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }
}

/// A unary RPC implementation: request message bytes in, response message bytes out; throw `GRPCStatus` to
/// answer with an error status.
public typealias GRPCUnaryHandler = @Sendable (ArraySlice<UInt8>, GRPCCallContext) async throws -> [UInt8]

/// A server-streaming RPC implementation: sends any number of messages through the stream, then returns (status
/// OK) or throws `GRPCStatus`. It should return soon after `stream.interruption()` reports the end of the call.
public typealias GRPCServerStreamingHandler =
    @Sendable (ArraySlice<UInt8>, GRPCCallContext, GRPCServerStream) async throws -> Void

/// A method's load check on a call's HEADERS (`GRPCRouter.register(_:authentication:admission:_:)`), after
/// authentication: a status refuses the call at once, before its body is buffered or a task is started for it;
/// nil lets the body come. Called on the connection's thread for every call of the method: it must be quick and
/// must not block.
public typealias GRPCAdmission = @Sendable (GRPCCallContext) -> GRPCStatus?

/// A registered method.
enum GRPCMethod: Sendable {
    case unary(GRPCUnaryHandler)
    case serverStreaming(GRPCServerStreamingHandler)
}
