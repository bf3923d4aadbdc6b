import Dispatch
import Synchronization

/// A sleep whose timer goes away the moment it is cancelled: `withDeadline` races its operation against one.
///
/// `Task.sleep` cannot take its timer back: a cancelled sleep returns at once but its timer (a few hundred bytes)
/// stays queued until the whole duration has passed, so a long deadline on every call (a client sending
/// `grpc-timeout: 99999999H`) grows memory with the number of calls. Here the timer is a dispatch source,
/// cancelled (and freed) when the sleep is cancelled. `armed` counts the timers alive, for a metric.
final class CancellableSleeper: Sendable {
    private enum State {
        case idle
        case sleeping(CheckedContinuation<Void, any Error>, TimerBox?)
        case over
    }

    /// Timers armed now, all sleepers together.
    static let armedTimers = Atomic<Int>(0)
    /// A longer sleep arms no timer: it ends only when cancelled (68 years is not a deadline anyone waits for).
    static let longestTimer: Duration = .seconds(Int64(Int32.max))

    private let state = Mutex(State.idle)

    static var armed: Int { armedTimers.load(ordering: .relaxed) }

    /// Sleeps for `duration`, or throws `CancellationError` as soon as the task is cancelled.
    static func sleep(for duration: Duration) async throws {
        let sleeper = CancellableSleeper()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                sleeper.start(duration, continuation)
            }
        } onCancel: {
            sleeper.end(CancellationError())
        }
    }

    private func start(_ duration: Duration, _ continuation: CheckedContinuation<Void, any Error>) {
        let timer = duration < Self.longestTimer ? TimerBox(after: duration) { [self] in end(nil) } : nil
        let armed = state.withLock { state -> Bool in
            guard case .idle = state else { return false }  // cancelled before it started
            state = .sleeping(continuation, timer)
            // Armed with the state stored: a timer that fires at once finds the sleeper asleep.
            timer?.arm()
            return true
        }
        guard armed else {
            timer?.discard()
            continuation.resume(throwing: CancellationError())
            return
        }
    }

    /// Ends the sleep once: normally (`error` nil, the timer fired) or with `error` (cancelled).
    private func end(_ error: (any Error)?) {
        let sleeping = state.withLock { state -> (CheckedContinuation<Void, any Error>, TimerBox?)? in
            defer { state = .over }
            guard case .sleeping(let continuation, let timer) = state else { return nil }
            return (continuation, timer)
        }
        guard let (continuation, timer) = sleeping else { return }
        timer?.disarm()
        if let error { continuation.resume(throwing: error) } else { continuation.resume() }
    }
}

/// One dispatch timer source.
// @unchecked Sendable: dispatch sources are thread-safe (their `resume`/`cancel` may be called from any thread),
// and `source` is never reassigned; `CancellableSleeper` calls `arm` then `disarm`, or `discard` alone, once each.
private final class TimerBox: @unchecked Sendable {
    /// Where the timers fire: a queue of their own (a handler only resumes its sleeper), so that a timer is not
    /// queued behind the tasks of the global executor's threads when they are all busy.
    static let queue = DispatchQueue(label: "eventgrpc.deadline-timers")

    private let source: any DispatchSourceTimer

    init(after duration: Duration, _ fire: @escaping @Sendable () -> Void) {
        source = DispatchSource.makeTimerSource(queue: Self.queue)
        let (seconds, attoseconds) = duration.components
        let nanoseconds = max(0, seconds) * 1_000_000_000 + max(0, attoseconds) / 1_000_000_000
        source.schedule(deadline: .now() + .nanoseconds(Int(nanoseconds)), leeway: .milliseconds(1))
        source.setEventHandler(handler: fire)
    }

    func arm() {
        CancellableSleeper.armedTimers.add(1, ordering: .relaxed)
        source.resume()
    }

    /// Cancels an armed timer: its handler will not run, and dispatch frees it.
    func disarm() {
        source.cancel()
        CancellableSleeper.armedTimers.subtract(1, ordering: .relaxed)
    }

    /// Drops a timer never armed (a dispatch source must not be released while suspended).
    func discard() {
        source.cancel()
        source.resume()
    }
}
