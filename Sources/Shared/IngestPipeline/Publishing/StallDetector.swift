public import AMQPClient

/// Whether the broker is worth waiting for, from what the publisher reports (`PublisherStatus`).
///
/// A connected broker is stalled when it has blocked publishing (`connection.blocked`: a memory or disk alarm)
/// or when it owes confirms and has sent none for `threshold` (`PUBLISH_STALL_TIMEOUT`, default 1 s): frozen,
/// overloaded or behind a socket it stopped reading. The gateway then treats it as an outage at once (batches go
/// to the spool) instead of letting every batch wait for its full confirm timeout. Any confirm restarts the clock,
/// so a broker that confirms a large round slowly but steadily is not stalled.
public struct StallDetector: Sendable {
    public enum Verdict: Sendable, Equatable {
        /// No connection: batches go to the spool until the publisher reconnects.
        case disconnected
        /// Stalled, and why (for logs and the spool's reason).
        case stalled(reason: String)
        /// Worth waiting for. Without news from the broker it cannot become stalled before `recheckAt`.
        case healthy(recheckAt: ContinuousClock.Instant)
    }

    public let threshold: Duration

    public init(threshold: Duration) {
        self.threshold = threshold
    }

    public func verdict(_ status: PublisherStatus, at now: ContinuousClock.Instant) -> Verdict {
        guard status.isConnected else { return .disconnected }
        if let reason = status.stallReason(after: threshold, at: now) { return .stalled(reason: reason) }
        return .healthy(recheckAt: (status.awaitingConfirmSince ?? now) + threshold)
    }
}
