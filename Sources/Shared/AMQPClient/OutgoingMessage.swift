/// A message to publish. Defaults follow the wire contract: JSON, persistent, mandatory.
public struct OutgoingMessage: Sendable, Equatable {
    public var exchange: String
    public var routingKey: String
    public var body: [UInt8]
    /// Sent as the `message_id` property; also how a basic.return is matched to its message.
    public var messageID: String
    /// Default `application/json`.
    public var contentType: String
    public var headers: AMQPTable
    /// `delivery_mode` 2 when true (the default), 1 otherwise.
    public var persistent: Bool
    /// When true (the default) an unroutable message is returned and its publish fails with `publishReturned`.
    public var mandatory: Bool
    /// The per-message TTL (`expiration` property, whole milliseconds); nil for none.
    public var expiration: Duration?

    public init(
        exchange: String,
        routingKey: String,
        body: [UInt8],
        messageID: String,
        contentType: String = "application/json",
        headers: AMQPTable = [:],
        persistent: Bool = true,
        mandatory: Bool = true,
        expiration: Duration? = nil
    ) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.body = body
        self.messageID = messageID
        self.contentType = contentType
        self.headers = headers
        self.persistent = persistent
        self.mandatory = mandatory
        self.expiration = expiration
    }
}
