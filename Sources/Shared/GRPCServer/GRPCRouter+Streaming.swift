import HTTP2Server

extension GRPCRouter {
    private enum Outcome: Sendable {
        case finished(GRPCStatus)
        case deadlinePassed(Duration)
        case timerCancelled
    }

    /// Runs a server-streaming handler against the call's deadline and ends the stream with its status. When the
    /// deadline passes first the handler's task is cancelled and the call ends with DEADLINE_EXCEEDED.
    func serverStreaming(
        _ handler: @escaping GRPCServerStreamingHandler,
        message: [UInt8],
        context: GRPCCallContext,
        writer: HTTP2ResponseWriter
    ) async {
        let stream = GRPCServerStream(writer: writer)
        await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                do {
                    try await handler(message[...], context, stream)
                    return .finished(GRPCStatus(.ok, ""))
                } catch {
                    return .finished(status(for: error, path: context.path))
                }
            }
            if let timeout = context.timeout {
                group.addTask {
                    do {
                        try await Task.sleep(for: timeout)
                        return .deadlinePassed(timeout)
                    } catch {
                        return .timerCancelled
                    }
                }
            }
            var result = GRPCStatus(.internalError, "the call ended without a status")
            if let first = await group.next() {
                switch first {
                case .finished(let status): result = status
                case .deadlinePassed(let timeout):
                    result = GRPCStatus(.deadlineExceeded, "the call's deadline (\(timeout)) passed")
                case .timerCancelled: break
                }
            }
            stream.finish(result)  // before the group waits for a handler that may be slow to notice cancellation
            group.cancelAll()
        }
    }
}
