import AMQPClient
import Synchronization

/// How one publish attempt ended.
enum ConfirmOutcome: Sendable {
    case confirmed
    case failed(any Error)
    /// No outcome within the timeout; the publish goes on in the background and its outcome is dropped.
    case timedOut
}

/// Publishes `messages` and returns the outcome, or `timedOut` after `timeout`. The publish itself cannot be
/// withdrawn (see `AMQPPublisher.publish`): after a timeout it runs on and, if it is confirmed late, the broker
/// may get the batch twice (once now, once from the spool); the sinks deduplicate by event id.
func publishWithin(
    _ timeout: Duration,
    _ messages: [OutgoingMessage],
    on publisher: any ConfirmingPublisher
) async
    -> ConfirmOutcome
{
    await withCheckedContinuation { (continuation: CheckedContinuation<ConfirmOutcome, Never>) in
        let race = ConfirmRace(continuation)
        race.setTimer(
            Task {
                do {
                    try await Task.sleep(for: timeout)
                } catch {
                    return
                }
                race.finish(.timedOut)
            }
        )
        Task {
            do {
                try await publisher.publish(messages)
                race.finish(.confirmed)
            } catch {
                race.finish(.failed(error))
            }
        }
    }
}

/// Resumes its continuation once, with whichever outcome comes first, and cancels the timer.
private final class ConfirmRace: Sendable {
    private struct State {
        var continuation: CheckedContinuation<ConfirmOutcome, Never>?
        var timer: Task<Void, Never>?
    }

    private let state: Mutex<State>

    init(_ continuation: CheckedContinuation<ConfirmOutcome, Never>) {
        state = Mutex(State(continuation: continuation))
    }

    func setTimer(_ timer: Task<Void, Never>) {
        let finished = state.withLock { state -> Bool in
            guard state.continuation != nil else { return true }
            state.timer = timer
            return false
        }
        if finished { timer.cancel() }
    }

    func finish(_ outcome: ConfirmOutcome) {
        let (continuation, timer) = state.withLock { state in
            defer { state = State() }
            return (state.continuation, state.timer)
        }
        timer?.cancel()
        continuation?.resume(returning: outcome)
    }
}
