/// Runs `operation`, racing it against a timer of `timeout`, and cancels the loser. Throws `DeadlineExceeded`
/// when the timer wins.
///
/// Both racers are children of a task group, so nothing outlives the call: the timer is cancelled (and its memory
/// freed, `CancellableSleeper`) as soon as the operation returns, and a late operation is cancelled and awaited before this returns. An operation must
/// therefore stop waiting when its task is cancelled (every wait in this code base does, through
/// `withTaskCancellationHandler`); one that ignores cancellation delays the answer until it ends.
///
/// When the timer wins but the cancelled operation still returns a value, the value is returned: the work was
/// done (a slot taken, a batch queued) and must not be lost by a race that cancellation could not prevent.
public func withDeadline<Value: Sendable>(
    _ timeout: Duration,
    _ operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: RaceOutcome<Value>.self) { group in
        group.addTask { .finished(try await operation()) }
        group.addTask {
            try await CancellableSleeper.sleep(for: timeout)
            return .timedOut
        }
        // The first child to finish decides; `next()` is nil only for an empty group, and this one has two.
        let first = try await group.next()!
        group.cancelAll()
        if case .finished(let value) = first { return value }
        do {
            guard case .finished(let value)? = try await group.next() else {
                throw DeadlineExceeded(timeout: timeout)
            }
            return value
        } catch let error as DeadlineExceeded {
            throw error
        } catch {
            throw DeadlineExceeded(timeout: timeout, cause: error)
        }
    }
}

/// Which racer of `withDeadline` finished first.
private enum RaceOutcome<Value: Sendable>: Sendable {
    case finished(Value)
    case timedOut
}
