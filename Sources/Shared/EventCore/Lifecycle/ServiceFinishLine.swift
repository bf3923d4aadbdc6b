import Synchronization

/// Which services of a group have returned from `run()`, and why the group stops: the first of a signal or a
/// service ending on its own.
final class ServiceFinishLine: Sendable {
    private struct State {
        var finished: [Bool]
        var firstError: (any Error)?
        var stopWaiters: [CheckedContinuation<String, Never>] = []
        var stopReason: String?
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(finished: Array(repeating: false, count: count)))
    }

    var firstError: (any Error)? { state.withLock { $0.firstError } }

    func markFinished(_ index: Int, name: String, error: (any Error)?) {
        state.withLock { state in
            state.finished[index] = true
            if state.firstError == nil, let error { state.firstError = error }
        }
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

    /// Polls (every 10 ms) until service `index` finished or `timeout` passed; true when it finished.
    func waitFinished(_ index: Int, timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if state.withLock({ $0.finished[index] }) { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return state.withLock { $0.finished[index] }
    }
}
