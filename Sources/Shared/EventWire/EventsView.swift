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

/// `event.Header` as ranges of the request.
public struct HeaderView: Sendable {
    /// The string fields 5 and 8-24 by `field - 5` (slots 1 and 2, the int64 fields 6 and 7, stay empty).
    public internal(set) var strings = [Range<Int>](repeating: 0..<0, count: 20)
    public internal(set) var bbDeviceId: Int64 = 0
    public internal(set) var userId: Int64 = 0

    /// The range of string field `field` (5 or 8-24).
    public func string(field: Int) -> Range<Int> { strings[field - 5] }

    /// The JSON names of the string fields, in field-number order, with their field numbers (as
    /// `Header.stringFields`).
    public static let stringFieldNumbers: [(name: StaticString, field: Int)] = [
        ("sessionId", 5), ("deviceId", 8), ("androidAdvertisingId", 9), ("clientId", 10), ("channel", 11),
        ("os", 12), ("clientType", 13), ("appLanguage", 14), ("appVersion", 15), ("appVersionCode", 16),
        ("currentURL", 17), ("merchantId", 18), ("utmReferrer", 19), ("utmPlatform", 20), ("utmSource", 21),
        ("utmMedium", 22), ("utmCampaign", 23), ("ppId", 24),
    ]
}

/// One `event.Event` as ranges of the request and of the view's shared arrays.
public struct EventView: Sendable {
    public internal(set) var id: Range<Int> = 0..<0
    public internal(set) var timestamp: Range<Int> = 0..<0
    public internal(set) var currentURL: Range<Int> = 0..<0
    public internal(set) var type: Range<Int> = 0..<0
    /// Indices into `EventsView.attributes`.
    public internal(set) var attributes: Range<Int>
    /// Indices into `EventsView.experimentIdRuns`.
    public internal(set) var experimentIdRuns: Range<Int>
    /// How many experiment ids the runs hold.
    public internal(set) var experimentIdCount = 0
    /// Where the event's own message lies in the request (for sizing its JSON).
    public internal(set) var message: Range<Int> = 0..<0
}

/// Experiment ids as they lie in the request: a packed field's varints, or unpacked (tag, varint) pairs that follow
/// each other.
public struct ExperimentIdRun: Sendable {
    public internal(set) var bytes: Range<Int>
    public internal(set) var packed: Bool
}

/// One `event.Attribute`: its key as a range, its value (the oneof's last member) read.
public struct AttributeView: Sendable {
    public enum Value: Sendable, Equatable {
        case none
        case string(Range<Int>)
        case int(Int64)
        case double(Double)
        case bool(Bool)
    }

    public internal(set) var key: Range<Int> = 0..<0
    public internal(set) var value = Value.none
}
