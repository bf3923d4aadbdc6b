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
    /// The request's share of the server's request-buffer budget (`releaseRequest()`).
    var bufferLease: RequestBufferLease?

    public init(path: String, headers: [HTTPField], timeout: Duration? = nil, peer: String = "") {
        self.path = path
        self.headers = headers
        self.timeout = timeout
        self.peer = peer
    }

    /// Tells the server that the handler holds no copy of its request message any more: the request's bytes go
    /// back to the request-buffer budget now instead of when the handler returns. Only for a unary handler that
    /// has let go of its message (for example decoded it into its own form and ended its lifetime with `consume`).
    public func releaseRequest() {
        bufferLease?.release()
    }

    /// The first value of metadata `name` (lower-case).
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }
}

/// A unary RPC implementation: request message bytes in, response message bytes out; throw `GRPCStatus` to
/// answer with an error status. The handler owns the message: nobody else holds its bytes, so once the handler
/// drops them they are freed (see `GRPCCallContext.releaseRequest()`).
public typealias GRPCUnaryHandler = @Sendable (consuming ArraySlice<UInt8>, GRPCCallContext) async throws -> [UInt8]

/// A server-streaming RPC implementation: sends any number of messages through the stream, then returns (status
/// OK) or throws `GRPCStatus`. It should return soon after `stream.interruption()` reports the end of the call.
public typealias GRPCServerStreamingHandler =
    @Sendable (ArraySlice<UInt8>, GRPCCallContext, GRPCServerStream) async throws -> Void

/// A registered method.
enum GRPCMethod: Sendable {
    case unary(GRPCUnaryHandler)
    case serverStreaming(GRPCServerStreamingHandler)
}
