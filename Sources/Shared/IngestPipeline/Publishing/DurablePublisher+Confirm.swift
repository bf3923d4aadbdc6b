import AMQPClient
import EventCore

/// Why `DurablePublisher` stopped waiting for a confirm: the broker stalled, or the confirm timeout passed.
struct ConfirmWaitAbandoned: Error, CustomStringConvertible {
    enum Kind: Sendable {
        case stalled
        case timedOut
    }

    let kind: Kind
    let reason: String

    var description: String { reason }
}

extension DurablePublisher {
    /// Publishes `messages` and waits for their confirm while the broker is worth waiting for: throws
    /// `ConfirmWaitAbandoned` as soon as the broker is seen stalled, or when `confirmTimeout` passes (whichever
    /// comes first), after cancelling the publish call; otherwise returns or throws what the publisher did.
    ///
    /// The watcher sleeps until the earliest instant the broker could be stalled without news (or the confirm
    /// deadline), then looks again: each wake-up follows a confirm or ends the wait, and both racers are children
    /// of one task group, so nothing outlives the call.
    func awaitConfirm(_ messages: [OutgoingMessage]) async throws {
        let deadline = ContinuousClock.now + confirmTimeout
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { [publisher] in try await publisher.publish(messages) }
                group.addTask { try await self.watch(until: deadline) }
                defer { group.cancelAll() }
                // The first child to end decides: a confirm, the publisher's error, or the watcher giving up.
                try await group.next()
            }
        } catch let gaveUp as ConfirmWaitAbandoned {
            switch gaveUp.kind {
            case .stalled:
                change(to: .stalled, reason: gaveUp.reason)
            case .timedOut:
                metrics.confirmTimeouts.increment()
                change(to: .spooling, reason: gaveUp.reason)
            }
            throw gaveUp
        }
    }

    /// Returns only when cancelled (the publish ended first); throws `ConfirmWaitAbandoned` otherwise.
    private func watch(until deadline: ContinuousClock.Instant) async throws {
        while true {
            let now = ContinuousClock.now
            if now >= deadline {
                throw ConfirmWaitAbandoned(kind: .timedOut, reason: "no confirm within \(confirmTimeout)")
            }
            switch detector.verdict(publisher.status, at: now) {
            case .stalled(let reason):
                throw ConfirmWaitAbandoned(kind: .stalled, reason: reason)
            case .healthy(let recheckAt):
                try await Task.sleep(until: min(recheckAt, deadline), clock: .continuous)
            case .disconnected:
                // The publisher fails the call itself when its connection goes; wait for that or the deadline.
                try await Task.sleep(until: deadline, clock: .continuous)
            }
        }
    }
}
