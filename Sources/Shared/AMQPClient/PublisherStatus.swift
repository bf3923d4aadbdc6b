/// What the publishing thread last reported about its connection, for callers that decide whether the broker is
/// worth waiting for (the gateway's stall detection): a snapshot, which may change as soon as it is taken.
public struct PublisherStatus: Sendable, Equatable {
    /// True while a connection with confirms enabled is open.
    public var isConnected: Bool
    /// The broker's reason while it has blocked this connection (`connection.blocked`: a memory or disk alarm);
    /// nil when it is not blocked.
    public var blockedReason: String?
    /// Since when the broker has owed a confirm without sending any: the start of the round in flight, moved
    /// forward by every confirm (ack or nack) that leaves messages outstanding; nil when no message waits for a
    /// confirm. A round stuck while it is still being sent (a socket the broker stopped reading) counts too.
    public var awaitingConfirmSince: ContinuousClock.Instant?
    /// Calls waiting for the thread to take them (at most the publisher's `maxQueuedCalls`).
    public var queuedCalls: Int

    /// Why the broker is stalled at `now`, or nil when it is not (or not connected): it has blocked publishing, or it
    /// has owed confirms and sent none for `threshold`. The one definition of a stall, for the gateway's decisions
    /// (`StallDetector`) and the publisher's own shutdown.
    public func stallReason(after threshold: Duration, at now: ContinuousClock.Instant) -> String? {
        guard isConnected else { return nil }
        if let blockedReason {
            return "the broker blocked publishing (connection.blocked: \(blockedReason))"
        }
        guard let since = awaitingConfirmSince, now - since >= threshold else { return nil }
        return "the broker owes confirms and sent none for \(now - since) (stall timeout \(threshold))"
    }

    public init(
        isConnected: Bool,
        blockedReason: String? = nil,
        awaitingConfirmSince: ContinuousClock.Instant? = nil,
        queuedCalls: Int = 0
    ) {
        self.isConnected = isConnected
        self.blockedReason = blockedReason
        self.awaitingConfirmSince = awaitingConfirmSince
        self.queuedCalls = queuedCalls
    }
}
