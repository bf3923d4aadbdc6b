import EventCore
import HTTP2Server

/// How a matched call runs: within its deadline, unary or server streaming.
extension GRPCRouter {
    /// Runs a call's handler within its `grpc-timeout` (without one, for as long as it takes). When the deadline
    /// passes first, the handler's task is cancelled and awaited, and the call ends with DEADLINE_EXCEEDED; when
    /// the handler finishes first, the timer is cancelled at once, so no call leaves a task sleeping behind it.
    ///
    /// A handler's waits end on cancellation (the admission gate, the queue, a publish in flight), so a late answer
    /// is never held back; a publish already handed to the broker is not withdrawn, and the client may retry with
    /// the same event ids.
    func withinDeadline<Value: Sendable>(
        of context: GRPCCallContext,
        _ handler: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        guard let timeout = context.timeout else { return try await handler() }
        return try await withDeadline(timeout, handler)
    }

    /// Runs a server-streaming handler within the call's deadline and ends the stream with its status
    /// (DEADLINE_EXCEEDED when the deadline passed first and the handler was cancelled); returns its code.
    func serverStreaming(
        _ handler: @escaping GRPCServerStreamingHandler,
        message: ArraySlice<UInt8>,
        context: GRPCCallContext,
        writer: HTTP2ResponseWriter
    ) async -> GRPCStatus.Code {
        let stream = GRPCServerStream(writer: writer)
        let status: GRPCStatus
        do {
            try await withinDeadline(of: context) {
                try await handler(message, context, stream)
                // A stream handler ends by itself only when its call is over: ended by cancellation, the call did
                // not finish, and when the deadline caused it the status is DEADLINE_EXCEEDED.
                try Task.checkCancellation()
            }
            status = GRPCStatus(.ok, "")
        } catch {
            status = self.status(for: error, path: context.path)
        }
        stream.finish(status)
        return status.code
    }
}
