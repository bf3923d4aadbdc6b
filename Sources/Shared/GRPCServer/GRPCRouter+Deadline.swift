import EventCore

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
}
