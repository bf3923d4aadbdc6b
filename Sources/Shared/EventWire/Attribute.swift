/// `event.Attribute`: a typed key-value pair of an event.
public struct Attribute: Sendable, Equatable {
    /// The `value` oneof: fields 2 (`stringValue`), 3 (`intValue`), 4 (`doubleValue`), 5 (`boolValue`).
    public enum Value: Sendable, Equatable {
        case string(String)
        case int(Int64)
        case double(Double)
        case bool(Bool)
    }

    /// Field 1.
    public var key: String
    /// Nil when no oneof member is set. A set member is encoded even when it holds its default value.
    public var value: Value?

    public init(key: String = "", value: Value? = nil) {
        self.key = key
        self.value = value
    }
}
