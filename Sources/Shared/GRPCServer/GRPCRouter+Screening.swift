public import HTTP2Server

/// What the router decides from a request's HEADERS alone, before its body is buffered.
extension GRPCRouter {
    /// Answers UNAUTHENTICATED at once (trailers only) when `request` calls a method that needs a bearer token
    /// and carries no valid one; nil lets the request's body come. Requests the router refuses anyway (not POST,
    /// not gRPC) are left to `handle`.
    public func screen(_ request: HTTP2Request) -> HTTP2Response? {
        guard let authentication = authentications[request.path], request.method == "POST",
            request.header("content-type")?.hasPrefix("application/grpc") == true
        else { return nil }
        do {
            _ = try authentication.authorize(request)
            return nil
        } catch {
            metrics?.refused(.unauthenticated)
            metrics?.start(path: request.path).finish(error.code)
            return Self.trailersOnly(error)
        }
    }
}
