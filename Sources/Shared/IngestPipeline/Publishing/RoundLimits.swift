/// How much one publish round may carry: calls queued while the previous round was in flight are published
/// together, up to these bounds (so one broker message per routing key never exceeds them either, unless a single
/// call does: a call is never split).
public struct RoundLimits: Sendable, Equatable {
    /// `COALESCE_MAX_EVENTS`, default 5,000.
    public var maxEvents = 5000
    /// `COALESCE_MAX_BYTES`, default 4 MiB.
    public var maxBytes = 4 * 1024 * 1024

    public init() {}

    public init(maxEvents: Int, maxBytes: Int) {
        self.maxEvents = maxEvents
        self.maxBytes = maxBytes
    }
}
