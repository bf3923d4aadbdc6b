public import AMQPClient
import EventWire
import Foundation

/// A delivery turned into rows for the event table.
public struct DeliveryRows: Sendable {
    /// JSONEachRow, one line per event.
    public var bytes: [UInt8]
    public var count: Int
    /// The message id written into each row (`tag-N` when the publisher set none).
    public var messageID: String

    /// Decodes the JSON envelope and validates every row; throws on an undecodable message or a bad row.
    public init(_ delivery: Delivery) throws(SinkError) {
        messageID = delivery.messageID ?? "tag-\(delivery.deliveryTag)"
        let envelope = try EventEnvelope.decode(json: delivery.body, routingKey: delivery.routingKey)
        let now = Date().timeIntervalSince1970
        bytes = try EventRows.jsonEachRow(
            envelope,
            messageID: messageID,
            receivedAtMilliseconds: Int64(now * 1000),
            writtenAtSeconds: Int64(now)
        )
        count = envelope.events.count
    }
}
