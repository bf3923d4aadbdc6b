public import AMQPClient
public import EventWire
import Foundation

/// Splits a validated batch into one broker message per routing key (the event type), in first-seen order,
/// each a persistent, mandatory JSON envelope with its own message id.
public enum BatchMessages {
    public static func make(header: Header, events: [IngestedEvent], exchange: String) -> [OutgoingMessage] {
        var order: [String] = []
        var groups: [String: [IngestedEvent]] = [:]
        for event in events {
            if groups[event.type] == nil { order.append(event.type) }
            groups[event.type, default: []].append(event)
        }
        return order.map { type in
            OutgoingMessage(
                exchange: exchange,
                routingKey: type,
                body: EventEnvelope(header: header, events: groups[type] ?? []).jsonBytes(),
                messageID: UUID().uuidString.lowercased()
            )
        }
    }
}
