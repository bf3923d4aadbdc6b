import HTTP2Server

extension GRPCRouter {
    /// Runs a server-streaming handler within the call's deadline and ends the stream with its status
    /// (DEADLINE_EXCEEDED when the deadline passed first and the handler was cancelled).
    func serverStreaming(
        _ handler: @escaping GRPCServerStreamingHandler,
        message: [UInt8],
        context: GRPCCallContext,
        writer: HTTP2ResponseWriter
    ) async {
        let stream = GRPCServerStream(writer: writer)
        let status: GRPCStatus
        do {
            try await withinDeadline(of: context) {
                try await handler(message[...], context, stream)
                // A stream handler ends by itself only when its call is over: ended by cancellation, the call did
                // not finish, and when the deadline caused it the status is DEADLINE_EXCEEDED.
                try Task.checkCancellation()
            }
            status = GRPCStatus(.ok, "")
        } catch {
            status = self.status(for: error, path: context.path)
        }
        stream.finish(status)
    }
}
