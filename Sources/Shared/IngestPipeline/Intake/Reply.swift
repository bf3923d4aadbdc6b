import Synchronization

/// The answer to one call, handed from the thread that computes it to the task that waits for it: resolved at
/// most once, awaited at most once, and dropped when the waiting task was cancelled first.
final class Reply<Value: Sendable>: Sendable {
    private enum State {
        /// Neither resolved nor awaited yet.
        case pending
        /// The caller waits; the continuation is resumed exactly once, by `resolve` or by cancellation.
        case waiting(CheckedContinuation<Value, any Error>)
        /// Resolved before the caller started waiting.
        case resolved(Result<Value, any Error>)
        /// Delivered, or given up by a cancelled caller: later resolutions are dropped.
        case done
    }

    private let state = Mutex(State.pending)

    func resolve(_ result: Result<Value, any Error>) {
        let waiting = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            switch state {
            case .pending:
                state = .resolved(result)
                return nil
            case .waiting(let continuation):
                state = .done
                return continuation
            case .resolved, .done:
                return nil
            }
        }
        waiting?.resume(with: result)
    }

    /// The resolved value; throws what it was resolved with, or `CancellationError` when the task is cancelled
    /// first.
    func value() async throws -> Value {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Result<Value, any Error>? in
                    switch state {
                    case .pending:
                        if Task.isCancelled {
                            state = .done
                            return .failure(CancellationError())
                        }
                        state = .waiting(continuation)
                        return nil
                    case .resolved(let result):
                        state = .done
                        return result
                    case .done:
                        // Only cancellation ends a reply before it is awaited (`onCancel` runs first when the task
                        // was cancelled already).
                        return .failure(CancellationError())
                    case .waiting:
                        preconditionFailure("a reply is awaited once")
                    }
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiting = state.withLock { state -> CheckedContinuation<Value, any Error>? in
                switch state {
                case .pending:
                    state = .done
                    return nil
                case .waiting(let continuation):
                    state = .done
                    return continuation
                case .resolved, .done:
                    return nil
                }
            }
            waiting?.resume(throwing: CancellationError())
        }
    }
}
