import Synchronization

/// Which services of a group have returned from `run()`, with waiters for "any" and "this one".
final class ServiceFinishLine: Sendable {
    private struct State {
        var finished: [Bool]
        var firstError: (any Error)?
        var anyWaiters: [CheckedContinuation<Int, Never>] = []
        var firstFinished: Int?
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(finished: Array(repeating: false, count: count)))
    }

    var firstError: (any Error)? { state.withLock { $0.firstError } }

    func markFinished(_ index: Int, error: (any Error)?) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, Never>] in
            state.finished[index] = true
            if state.firstError == nil, let error { state.firstError = error }
            if state.firstFinished == nil { state.firstFinished = index }
            defer { state.anyWaiters = [] }
            return state.anyWaiters
        }
        waiters.forEach { $0.resume(returning: index) }
    }

    /// The index of the first service that finished, waiting for one if none has.
    func firstFinished() async -> Int {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Int? in
                if let first = state.firstFinished { return first }
                state.anyWaiters.append(continuation)
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
