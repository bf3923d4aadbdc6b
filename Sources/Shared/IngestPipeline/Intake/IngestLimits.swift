public import EventWire

/// What a batch may contain; anything beyond is refused with INVALID_ARGUMENT before it is enqueued.
public struct IngestLimits: Sendable, Equatable {
    /// Events per batch; default 500 (`EVENT_MAX_BATCH_EVENTS`).
    public var maxEventsPerBatch = 500
    /// Bytes of any single string field; default 8 KiB.
    public var maxFieldBytes = 8 * 1024
    /// Attributes per event; default 64.
    public var maxAttributesPerEvent = 64
    /// Experiment ids per event; default 10,000.
    public var maxExperimentIdsPerEvent = 10_000
    /// Timestamps before this (epoch ms) are refused as absurd; default 2000-01-01T00:00:00Z.
    public var earliestTimestampMilliseconds: Int64 = 946_684_800_000

    public init() {}

    /// The bounds `EventsView` checks while it decodes a request, before allocating for what it counts.
    public var decodeLimits: DecodeLimits {
        DecodeLimits(
            maxEvents: maxEventsPerBatch,
            maxAttributesPerEvent: maxAttributesPerEvent,
            maxExperimentIdsPerEvent: maxExperimentIdsPerEvent,
            maxStringBytes: maxFieldBytes
        )
    }
}
