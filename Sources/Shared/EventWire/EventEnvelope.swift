/// The body of one broker message: a batch's header and the events of one routing key.
///
/// JSON, `{"header":{...},"events":[...]}`, with the proto's field names for the header and these keys per
/// event: `id`, `type`, `timestamp` (epoch ms, corrected), `originalTimestamp`, `timestampCorrected`,
/// `currentURL`, `attributes` (an object of typed values), `experimentIds`. Other services may publish the same
/// shape: the decoder accepts numbers written as strings and fills what is missing where a default is safe.
public struct EventEnvelope: Sendable, Equatable {
    public var header: Header
    public var events: [IngestedEvent]

    public init(header: Header, events: [IngestedEvent]) {
        self.header = header
        self.events = events
    }
}
