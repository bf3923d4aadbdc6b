/// One metadata value of a log line: a string, an integer, a floating-point number or a boolean, rendered as the
/// matching JSON type (`"events.count":42`, `"amqp.connected":true`), so that log processors can compare and sum
/// them without parsing strings.
///
/// Literals and interpolations stay strings (`"\(queue)"`); counts, sizes, durations, ports and flags are written
/// typed: `.int(count)`, `.seconds(delay)`, `.bool(flag)`, or an integer or boolean literal.
public enum LogValue: Sendable, Hashable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)

    /// Any integer type; values beyond `Int` saturate (a count read from outside never traps here).
    public static func integer(_ value: some BinaryInteger) -> LogValue {
        .int(Int(clamping: value))
    }

    /// A duration as seconds (a number, fractions kept to the attosecond the type holds).
    public static func seconds(_ duration: Duration) -> LogValue {
        let parts = duration.components
        return .double(Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
    }
}

extension LogValue: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension LogValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) {
        self = .int(value)
    }
}

extension LogValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) {
        self = .double(value)
    }
}

extension LogValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

extension LogValue: CustomStringConvertible {
    /// The value as the text format writes it (strings unquoted).
    public var description: String {
        switch self {
        case .string(let text): text
        case .int(let number): "\(number)"
        case .double(let number): "\(number)"
        case .bool(let flag): flag ? "true" : "false"
        }
    }
}
