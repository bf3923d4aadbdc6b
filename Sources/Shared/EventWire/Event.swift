/// `event.Event`: one thing that happened on a client.
public struct Event: Sendable, Equatable {
    /// Field 4: client-supplied unique id; empty when the client sent none.
    public var id: String
    /// Field 5: epoch milliseconds as a decimal string (not validated here).
    public var timestamp: String
    /// Field 6.
    public var currentURL: String
    /// Field 7: for example `app.open`; it becomes the AMQP routing key.
    public var type: String
    /// Field 8.
    public var attributes: [Attribute]
    /// Field 65, packed on the wire.
    public var experimentIds: [Int64]

    public init(
        id: String = "",
        timestamp: String = "",
        currentURL: String = "",
        type: String = "",
        attributes: [Attribute] = [],
        experimentIds: [Int64] = []
    ) {
        self.id = id
        self.timestamp = timestamp
        self.currentURL = currentURL
        self.type = type
        self.attributes = attributes
        self.experimentIds = experimentIds
    }
}
