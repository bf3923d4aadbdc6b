import Foundation

/// State shared between callers and one worker thread, guarded by a condition variable so the worker can sleep
/// until there is work or a deadline passes (`Mutex` has no condition).
// @unchecked Sendable: `state` is read and written only while `condition` is locked.
public final class ConditionBox<State: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var state: State

    public init(_ state: State) {
        self.state = state
    }

    public func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        condition.lock()
        defer { condition.unlock() }
        return try body(&state)
    }

    /// Like `withLock`, then wakes every waiter.
    public func update<R>(_ body: (inout State) throws -> R) rethrows -> R {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body(&state)
    }

    /// Sleeps until `ready(state)` holds or `deadline` passes, then runs `body` under the lock.
    public func wait<R>(
        until deadline: ContinuousClock.Instant,
        for ready: (State) -> Bool,
        then body: (inout State) -> R
    ) -> R {
        condition.lock()
        defer { condition.unlock() }
        while !ready(state) {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { break }
            let seconds = remaining.secondsDouble
            _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
        }
        return body(&state)
    }
}
