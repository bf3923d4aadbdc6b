/// Bounds `EventsView` enforces while it decodes, before anything is allocated for the counted items: a request
/// past one of them is refused with `WireError.Code.limitExceeded` as soon as the decoder counts one item too many,
/// so a hostile request (a huge repeated count, a long field) costs at most these bounds, never its own claims.
public struct DecodeLimits: Sendable, Equatable {
    /// Events per batch.
    public var maxEvents: Int
    /// Attributes per event.
    public var maxAttributesPerEvent: Int
    /// Experiment ids per event (packed and unpacked together).
    public var maxExperimentIdsPerEvent: Int
    /// Bytes of any single string field (header, event or attribute).
    public var maxStringBytes: Int

    public init(maxEvents: Int, maxAttributesPerEvent: Int, maxExperimentIdsPerEvent: Int, maxStringBytes: Int) {
        self.maxEvents = maxEvents
        self.maxAttributesPerEvent = maxAttributesPerEvent
        self.maxExperimentIdsPerEvent = maxExperimentIdsPerEvent
        self.maxStringBytes = maxStringBytes
    }
}
