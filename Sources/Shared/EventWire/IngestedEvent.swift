/// An event after validation and clock-skew correction: what travels to the broker.
public struct IngestedEvent: Sendable, Equatable {
    public var id: String
    /// The routing key: the client's type, or `IngestedEvent.defaultType` when it sent none.
    public var type: String
    /// Epoch milliseconds after clamping: never later than the gateway's clock at receipt.
    public var timestampMilliseconds: Int64
    /// Epoch milliseconds as the client sent them.
    public var originalTimestampMilliseconds: Int64
    /// True when the client's timestamp was in the future and was clamped.
    public var timestampCorrected: Bool
    public var currentURL: String
    public var attributes: [Attribute]
    public var experimentIds: [Int64]

    /// The type given to events from deployed clients, which send none.
    public static let defaultType = "app.event"

    public init(
        id: String,
        type: String,
        timestampMilliseconds: Int64,
        originalTimestampMilliseconds: Int64,
        timestampCorrected: Bool,
        currentURL: String = "",
        attributes: [Attribute] = [],
        experimentIds: [Int64] = []
    ) {
        self.id = id
        self.type = type
        self.timestampMilliseconds = timestampMilliseconds
        self.originalTimestampMilliseconds = originalTimestampMilliseconds
        self.timestampCorrected = timestampCorrected
        self.currentURL = currentURL
        self.attributes = attributes
        self.experimentIds = experimentIds
    }
}
