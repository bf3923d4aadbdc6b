/// A call `BatchValidator.transcode` accepted: its JSON per routing key, ready for the queue.
public struct ValidatedCall: Sendable {
    /// One part per routing key, in first-seen order (as `CallPart.parts` makes them).
    public var parts: [CallPart]
    public var events: Int
    /// Events whose future timestamp was clamped to the gateway's clock.
    public var clamped: Int

    public init(parts: [CallPart], events: Int, clamped: Int) {
        self.parts = parts
        self.events = events
        self.clamped = clamped
    }

    /// The JSON bytes of all parts, what the queue's byte bound counts.
    public var bytes: Int { parts.reduce(0) { $0 + $1.json.count } }
}
