import Synchronization

/// What the services of a group have done so far: which returned from `run()` (and the first error), why the group
/// stops (the first of a signal or a service ending on its own), and whether a second signal asked to stop now.
/// Every wait is a continuation resumed after the lock is released; nothing polls.
final class ServiceFinishLine: Sendable {
    private struct State {
        var finished: [Bool]
        var firstError: (any Error)?
        /// Set once: the first reason wins.
        var stopReason: String?
        var stopWaiters: [CheckedContinuation<String, Never>] = []
        /// Set by a second signal during the drain: whoever waits for a service stops waiting.
        var escalation: String?
        /// The drain waits for one service at a time, by index.
        var finishWaiters: [Int: CheckedContinuation<Void, any Error>] = [:]
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(finished: Array(repeating: false, count: count)))
    }

    var firstError: (any Error)? { state.withLock { $0.firstError } }

    func markFinished(_ index: Int, name: String, error: (any Error)?) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            state.finished[index] = true
            if state.firstError == nil, let error { state.firstError = error }
            return state.finishWaiters.removeValue(forKey: index)
        }
        waiter?.resume()
        requestStop(reason: "service \(name) ended")
    }

    /// Records why the group stops (the first reason wins) and wakes whoever waits for it.
    func requestStop(reason: String) {
        let (waiters, winner) = state.withLock { state -> ([CheckedContinuation<String, Never>], String) in
            if state.stopReason == nil { state.stopReason = reason }
            defer { state.stopWaiters = [] }
            return (state.stopWaiters, state.stopReason ?? reason)
        }
        for waiter in waiters { waiter.resume(returning: winner) }
    }

    /// A second signal: the drain stops waiting for services (they are cancelled instead).
    func escalate(reason: String) {
        requestStop(reason: reason)
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.escalation = state.escalation ?? reason
            defer { state.finishWaiters = [:] }
            return Array(state.finishWaiters.values)
        }
        for waiter in waiters { waiter.resume(throwing: Self.escalated(reason)) }
    }

    /// Why the group stops, waiting until there is a reason.
    func stopReason() async -> String {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> String? in
                if let reason = state.stopReason { return reason }
                state.stopWaiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Returns once service `index` has returned from `run()`; throws `ServiceGroupError` after a second signal
    /// and `CancellationError` when the waiting task is cancelled.
    func waitFinished(_ index: Int) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let ready = state.withLock { state -> Result<Void, any Error>? in
                    if state.finished[index] { return .success(()) }
                    if let reason = state.escalation { return .failure(Self.escalated(reason)) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.finishWaiters[index] = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.finishWaiters.removeValue(forKey: index) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private static func escalated(_ reason: String) -> ServiceGroupError {
        ServiceGroupError(message: "a second signal (\(reason)) cut the graceful drain short")
    }
}
