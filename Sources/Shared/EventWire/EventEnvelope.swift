/// One call's events of one routing key, with the call's header and the gateway's receive time.
///
/// On the broker a message body holds the calls of one publish round (natural batching, see `CallsMessage`):
/// `{"calls":[{"header":{...},"receivedAt":MS,"events":[...]},...]}`, the header by the proto's field names and
/// these keys per event: `id`, `type`, `timestamp` (epoch ms, corrected), `originalTimestamp`,
/// `timestampCorrected`, `currentURL`, `attributes` (an object of typed values), `experimentIds`. The original
/// single-call shape `{"header":{...},"events":[...]}` (`jsonBytes()`) is what other services may still publish;
/// the workers read both, accept numbers written as strings and fill what is missing where a default is safe.
public struct EventEnvelope: Sendable, Equatable {
    public var header: Header
    public var events: [IngestedEvent]
    /// When the gateway received the call, in epoch milliseconds; 0 when unknown (another publisher).
    public var receivedAtMilliseconds: Int64

    public init(header: Header, events: [IngestedEvent], receivedAtMilliseconds: Int64 = 0) {
        self.header = header
        self.events = events
        self.receivedAtMilliseconds = receivedAtMilliseconds
    }
}
