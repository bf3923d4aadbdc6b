/// A value in an AMQP field table (message headers, queue arguments).
///
/// Decoding widens the wire's integer kinds to `int64` (an unsigned 64-bit value above `Int64.max` becomes a
/// `string`), floats and decimals to `double`, and byte arrays stay `bytes`.
public enum AMQPFieldValue: Sendable, Equatable {
    case string(String)
    case int64(Int64)
    case bool(Bool)
    case double(Double)
    /// Seconds since the epoch, as the AMQP timestamp kind.
    case timestamp(UInt64)
    case bytes([UInt8])
    case array([AMQPFieldValue])
    case table(AMQPTable)
    /// The AMQP "void" kind (no value).
    case void
}

/// An AMQP field table: header and argument names to values.
public typealias AMQPTable = [String: AMQPFieldValue]

extension AMQPFieldValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int64(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension AMQPFieldValue {
    /// The string, if this is a `string` value.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, if this is an `int64` value.
    public var int64Value: Int64? {
        if case .int64(let value) = self { return value }
        return nil
    }
}
