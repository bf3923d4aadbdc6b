/// An `event.Events` request decoded in place: every string field is a range of the request's bytes (checked as
/// UTF-8 once, while decoding), numbers are read, and nothing else is materialised. The gateway validates and
/// writes each routing key's JSON straight from this view (`CallTranscoder`), so an event is never turned into
/// `Event`, `IngestedEvent` and Swift strings on the hot path.
///
/// Merging follows protobuf and `Events(protobuf:)` exactly: the last value of a repeated scalar field wins, a
/// header sent twice is merged field by field, the last `Attribute.value` member wins, experiment ids are accepted
/// packed and unpacked, unknown fields are skipped. `DecodeLimits` are checked while decoding.
public struct EventsView: Sendable {
    /// The request; every range in the view is an offset into `bytes.withUnsafeBufferPointer`'s buffer.
    public let bytes: ArraySlice<UInt8>
    public internal(set) var header = HeaderView()
    /// The events in request order.
    public internal(set) var events: [EventView] = []
    /// The attributes of every event, in order; `EventView.attributes` indexes into it.
    public internal(set) var attributes: [AttributeView] = []
    /// Where the experiment ids of every event lie in the request, in order; `EventView.experimentIdRuns`
    /// indexes into it. Ids stay in the request: a packed field is one run whatever its count.
    public internal(set) var experimentIdRuns: [ExperimentIdRun] = []

    /// Decodes `bytes` as `event.Events`; throws a `WireError` for malformed input (as `Events(protobuf:)` would)
    /// or `limitExceeded` as soon as a count or a string passes `limits`.
    public init(protobuf bytes: ArraySlice<UInt8>, limits: DecodeLimits) throws(WireError) {
        var view = EventsView(bytes: bytes)
        try ProtobufReader.read(bytes) { (reader) throws(WireError) in try view.merge(from: &reader, limits: limits) }
        self = view
    }

    private init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
    }
}
