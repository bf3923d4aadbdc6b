/// How much one publish round may carry, and how long a round is held under load.
///
/// Calls queued while the previous round was in flight are published together, up to `maxEvents` and `maxBytes`
/// (so one broker message per routing key never exceeds them either, unless a single call does: a call is never
/// split). Under load a round also waits until `interval` has passed since the previous round started, so that
/// every routing key gets at most one message per interval (`RoundPacer`); the wait ends early once the round
/// reaches `maxEvents` or `maxBytes`, or once `holdCalls` calls wait for it.
public struct RoundLimits: Sendable, Equatable {
    /// `COALESCE_MAX_EVENTS`, default 50,000.
    public var maxEvents = 50_000
    /// `COALESCE_MAX_BYTES`, default 16 MiB.
    public var maxBytes = 16 * 1024 * 1024
    /// `PUBLISH_ROUND_INTERVAL`, default 350 ms: under load, the least time from one round's start to the next
    /// one's. Zero publishes every round as soon as the previous one is done (natural batching alone). With the
    /// default topology's catch-all binding a table gets one insert per routing key per round: 3 keys at one round
    /// per 350 ms stay under 10 inserts/s.
    public var interval: Duration = .milliseconds(350)
    /// A held round goes as soon as this many calls wait for it (default 128; the gateway sets the queue's
    /// capacity, `EVENT_BUFFERED_CHANNEL_SIZE`, whose filling ends a hold anyway). It ends a hold; it does not
    /// bound a round.
    public var holdCalls = 128

    public init() {}

    public init(maxEvents: Int, maxBytes: Int, interval: Duration = .zero, holdCalls: Int = 128) {
        self.maxEvents = maxEvents
        self.maxBytes = maxBytes
        self.interval = interval
        self.holdCalls = holdCalls
    }
}
