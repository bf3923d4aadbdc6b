public import AMQPClient
public import Foundation

/// A delivery turned into rows for the event table (`MessageRows`), with the times only the worker knows: the
/// delivery's time stands in for the gateway's receive time of calls that carry none, and the write time.
public struct DeliveryRows: Sendable {
    /// JSONEachRow, one line per event that passed row validation.
    public var bytes: [UInt8]
    public var count: Int
    /// The message id written into each row (`tag-N` when the publisher set none).
    public var messageID: String
    /// The events refused by row validation while others became rows; nil when every event is a row.
    public var rejected: RejectedEvents?

    /// Decodes the JSON envelope and validates every row; throws `decode` on an undecodable message, `badRow` on a
    /// message without events or whose every event is refused.
    public init(_ delivery: Delivery, now: Date = Date()) throws(SinkError) {
        messageID = delivery.messageID ?? "tag-\(delivery.deliveryTag)"
        let seconds = now.timeIntervalSince1970
        let rows = try MessageRows(
            body: delivery.body,
            routingKey: delivery.routingKey,
            messageID: messageID,
            deliveredAtMilliseconds: Int64(seconds * 1000),
            writtenAtSeconds: Int64(seconds)
        )
        bytes = rows.bytes
        count = rows.count
        rejected = rows.rejected
    }
}
