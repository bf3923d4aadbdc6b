import HTTP2Server

/// Bearer-token authentication of one method (`GRPCRouter.register(_:authentication:_:)`), checked on the
/// request's HEADERS, before its body is buffered: an unauthenticated client cannot make the server hold its
/// message, decompress it or queue it.
public struct GRPCAuthentication: Sendable {
    public let tokens: GRPCBearerAuth
    /// Told of every refused call (UNAUTHENTICATED) with the call's context: `peer`, and in `client` who the
    /// headers claim to be (`GRPCBearerAuth.identity`: a token's name or fingerprint, never the token), for a log
    /// line and a metric. Called on the connection's thread: it must not block.
    public let refused: @Sendable (GRPCStatus, GRPCCallContext) -> Void

    public init(tokens: GRPCBearerAuth, refused: @escaping @Sendable (GRPCStatus, GRPCCallContext) -> Void) {
        self.tokens = tokens
        self.refused = refused
    }

    /// The client's name when `request` carries a valid token; otherwise reports the refusal and throws
    /// UNAUTHENTICATED.
    func authorize(_ request: HTTP2Request) throws(GRPCStatus) -> String {
        do {
            return try tokens.authorize(request.headers)
        } catch {
            var context = GRPCCallContext(path: request.path, headers: request.headers, peer: request.peer)
            context.client = tokens.identity(request.headers)
            refused(error, context)
            throw error
        }
    }
}
