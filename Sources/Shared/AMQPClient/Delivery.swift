/// A message received by an `AMQPConsumer`.
public struct Delivery: Sendable {
    public var body: [UInt8]
    public var exchange: String
    public var routingKey: String
    public var messageID: String?
    public var contentType: String?
    public var headers: AMQPTable
    /// True when the broker delivered this message before (it was requeued or its consumer died unacked).
    public var redelivered: Bool
    /// The broker's tag for this delivery on the consumer's channel (it restarts after a reconnect).
    public var deliveryTag: UInt64

    public init(
        body: [UInt8],
        exchange: String,
        routingKey: String,
        messageID: String?,
        contentType: String? = nil,
        headers: AMQPTable,
        redelivered: Bool,
        deliveryTag: UInt64
    ) {
        self.body = body
        self.exchange = exchange
        self.routingKey = routingKey
        self.messageID = messageID
        self.contentType = contentType
        self.headers = headers
        self.redelivered = redelivered
        self.deliveryTag = deliveryTag
    }
}

/// What the consumer does with a delivery once the handler returns.
public enum Disposition: Sendable, Equatable {
    /// basic.ack: the message is done.
    case ack
    /// basic.nack with requeue: the broker delivers it again (to this or another consumer).
    case requeue
    /// basic.reject without requeue: the broker drops it, or dead-letters it when the queue has a DLX.
    case reject
    /// Publishes `message` (a retry or dead-letter copy) on the consumer's own confirming connection, then acks
    /// the delivery once the broker confirmed the copy. If the copy is not confirmed the delivery is nacked with
    /// requeue instead, so the message is never lost (it may then exist twice: consumers deduplicate by id).
    case republish(OutgoingMessage)
}
