public import EventWire

/// One call's events of one routing key, rendered once (on the call's own task) as an element of a broker
/// message's `calls` array; a publish round joins the parts of many calls (`RoundMessages`).
public struct CallPart: Sendable, Equatable {
    /// The event type: the broker's routing key.
    public var routingKey: String
    /// `{"header":{...},"receivedAt":MS,"events":[...]}` (`EventEnvelope.callJSONBytes()`).
    public var json: [UInt8]
    public var events: Int

    public init(routingKey: String, json: [UInt8], events: Int) {
        self.routingKey = routingKey
        self.json = json
        self.events = events
    }

    /// A validated call split by routing key (the event type), in first-seen order.
    public static func parts(header: Header, receivedAtMilliseconds: Int64, events: [IngestedEvent]) -> [CallPart] {
        var order: [String] = []
        var groups: [String: [IngestedEvent]] = [:]
        for event in events {
            if groups[event.type] == nil { order.append(event.type) }
            groups[event.type, default: []].append(event)
        }
        return order.map { type in
            let events = groups[type] ?? []
            let envelope = EventEnvelope(header: header, events: events, receivedAtMilliseconds: receivedAtMilliseconds)
            return CallPart(routingKey: type, json: envelope.callJSONBytes(), events: events.count)
        }
    }
}
