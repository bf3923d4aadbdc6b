public import AMQPClient
import EventWire
import Foundation

/// The broker messages of one publish round (natural batching, DESIGN.md section 3): one persistent, mandatory
/// message per routing key, carrying that key's part of every call in the round, in the order the calls were
/// queued, each message with its own id.
public enum RoundMessages {
    public static func make(_ calls: [[CallPart]], exchange: String) -> [OutgoingMessage] {
        var order: [String] = []
        var byKey: [String: [[UInt8]]] = [:]
        for part in calls.joined() {
            if byKey[part.routingKey] == nil { order.append(part.routingKey) }
            byKey[part.routingKey, default: []].append(part.json)
        }
        return order.map { key in
            OutgoingMessage(
                exchange: exchange,
                routingKey: key,
                body: CallsMessage.body(byKey[key] ?? []),
                messageID: UUID().uuidString.lowercased()
            )
        }
    }
}
