public import HTTP2Server

/// What the router decides from a request's HEADERS alone, before its body is buffered.
extension GRPCRouter {
    /// Answers at once (trailers only) when `request` calls a method that needs a bearer token and carries no
    /// valid one (UNAUTHENTICATED), or whose admission check refuses it (its status, usually RESOURCE_EXHAUSTED);
    /// nil lets the request's body come. Requests the router refuses anyway (not POST, not gRPC) are left to
    /// `handle`.
    public func screen(_ request: HTTP2Request) -> HTTP2Response? {
        let authentication = authentications[request.path]
        let admission = admissions[request.path]
        guard authentication != nil || admission != nil, request.method == "POST",
            request.header("content-type")?.hasPrefix("application/grpc") == true
        else { return nil }
        var client = ""
        do {
            client = try authentication?.authorize(request) ?? ""
        } catch {
            metrics?.refused(.unauthenticated)
            metrics?.start(path: request.path).finish(error.code)
            return Self.trailersOnly(error)
        }
        guard let admission, let status = admission.check() else { return nil }
        var context = GRPCCallContext(path: request.path, headers: request.headers, peer: request.peer)
        context.client = client
        admission.refused(status, context)
        metrics?.refused(.overloaded)
        metrics?.start(path: request.path).finish(status.code)
        return Self.trailersOnly(status)
    }
}
