/// Typed reads of environment variables, each with a default; a bad value throws `ConfigurationError`
/// naming the variable. Every configuration struct is parsed through this one type.
public struct Environment: Sendable {
    public var values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The value, or `defaultValue` when the variable is unset or empty.
    public func string(_ name: String, default defaultValue: String) -> String {
        guard let value = values[name], !value.isEmpty else { return defaultValue }
        return value
    }

    public func optionalString(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    public func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let raw = optionalString(name) else { return defaultValue }
        guard let value = Int(raw.trimmingSpaces), range.contains(value) else {
            throw ConfigurationError(
                variable: name,
                value: raw,
                expected: "an integer between \(range.lowerBound) and \(range.upperBound)"
            )
        }
        return value
    }

    public func port(_ name: String, default defaultValue: Int) throws -> Int {
        try int(name, default: defaultValue, in: 1...65535)
    }

    /// A duration written as a number with a unit: `250ms`, `10s`, `2m`; a bare number means seconds.
    public func duration(
        _ name: String,
        default defaultValue: Duration,
        atLeast minimum: Duration = .zero
    ) throws
        -> Duration
    {
        guard let raw = optionalString(name) else { return defaultValue }
        guard let value = Self.parseDuration(raw.trimmingSpaces), value >= minimum else {
            throw ConfigurationError(
                variable: name,
                value: raw,
                expected: "a duration like 500ms, 10s or 2m, at least \(minimum)"
            )
        }
        return value
    }

    public func bool(_ name: String, default defaultValue: Bool) throws -> Bool {
        guard let raw = optionalString(name) else { return defaultValue }
        switch raw.trimmingSpaces.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(variable: name, value: raw, expected: "true or false")
        }
    }

    static func parseDuration(_ text: String) -> Duration? {
        let units: [(suffix: String, scale: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for unit in units where text.hasSuffix(unit.suffix) {
            guard let number = Double(text.dropLast(unit.suffix.count)), number >= 0, number.isFinite else {
                return nil
            }
            return .milliseconds(Int64((number * unit.scale * 1000).rounded()))
        }
        guard let seconds = Double(text), seconds >= 0, seconds.isFinite else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}

extension String {
    var trimmingSpaces: String {
        String(self.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}

extension Environment {
    /// `LOG_LEVEL`, default `info`.
    public func logLevel() throws -> Logger.Level {
        let raw = string("LOG_LEVEL", default: "info")
        guard let level = Logger.Level(name: raw) else {
            throw ConfigurationError(
                variable: "LOG_LEVEL",
                value: raw,
                expected: "trace, debug, info, notice, warning, error or critical"
            )
        }
        return level
    }
}
