/// Typed reads of environment variables, each with a default. Every configuration struct is parsed through this
/// one type.
///
/// A bad value is a `ConfigurationError` naming the variable. An environment made with `init(_:)` throws it at
/// once; one made with `collecting(_:)` records it, returns the default and goes on, so that `checkErrors()` can
/// report every bad value together (`check-config`, start-up). Either way each variable read is recorded with the
/// default the parser states for it (`reads`): `--help` lists them, so the list cannot drift from the parser.
public struct Environment: Sendable {
    public var values: [String: String]
    private let journal: EnvironmentJournal

    /// An environment that throws at the first bad value.
    public init(_ values: [String: String]) {
        self.values = values
        journal = EnvironmentJournal(collectsErrors: false)
    }

    private init(values: [String: String], journal: EnvironmentJournal) {
        self.values = values
        self.journal = journal
    }

    /// An environment that records bad values instead of throwing (the reads return their defaults); call
    /// `checkErrors()` once everything is parsed.
    public static func collecting(_ values: [String: String]) -> Environment {
        Environment(values: values, journal: EnvironmentJournal(collectsErrors: true))
    }

    /// The variables read so far, in the order first read, with their defaults.
    public var reads: [EnvironmentRead] { journal.reads }

    /// The bad values recorded so far (always empty for an environment that throws).
    public var errors: [ConfigurationError] { journal.errors }

    /// Throws every bad value recorded so far, together.
    public func checkErrors() throws(ConfigurationErrors) {
        let errors = journal.errors
        guard errors.isEmpty else { throw ConfigurationErrors(errors.map(\.problem)) }
    }

    /// Reports a bad value found by a check across variables (for example a grace period longer than the drain
    /// timeout): thrown at once, or recorded by a collecting environment.
    public func reject(_ error: ConfigurationError) throws(ConfigurationError) {
        guard journal.collectsErrors else { throw error }
        journal.record(error)
    }

    /// The value as set, without recording a read (for error messages); empty when unset.
    public func rawValue(_ name: String) -> String {
        values[name] ?? ""
    }

    /// The value, or `defaultValue` when the variable is unset or empty.
    public func string(_ name: String, default defaultValue: String) -> String {
        journal.read(name, default: defaultValue.isEmpty ? "empty" : defaultValue)
        guard let value = values[name], !value.isEmpty else { return defaultValue }
        return value
    }

    /// The value, or nil when the variable is unset or empty.
    public func optionalString(_ name: String) -> String? {
        journal.read(name, default: "unset")
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    public func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        journal.read(name, default: String(defaultValue))
        guard let raw = value(name) else { return defaultValue }
        guard let value = Int(raw.trimmingSpaces), range.contains(value) else {
            try reject(
                ConfigurationError(
                    variable: name,
                    value: raw,
                    expected: "an integer between \(range.lowerBound) and \(range.upperBound)"
                )
            )
            return defaultValue
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
        journal.read(name, default: Self.formatDuration(defaultValue))
        guard let raw = value(name) else { return defaultValue }
        guard let value = Self.parseDuration(raw.trimmingSpaces), value >= minimum else {
            try reject(
                ConfigurationError(
                    variable: name,
                    value: raw,
                    expected: "a duration like 500ms, 10s or 2m, at least \(Self.formatDuration(minimum))"
                )
            )
            return defaultValue
        }
        return value
    }

    public func bool(_ name: String, default defaultValue: Bool) throws -> Bool {
        journal.read(name, default: String(defaultValue))
        guard let raw = value(name) else { return defaultValue }
        switch raw.trimmingSpaces.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default:
            try reject(ConfigurationError(variable: name, value: raw, expected: "true or false"))
            return defaultValue
        }
    }

    /// Records a read of `name` whose default is written `defaultText` (for readers in extensions).
    func recordRead(_ name: String, default defaultText: String) {
        journal.read(name, default: defaultText)
    }

    /// The set value without recording a read; nil when unset or empty.
    func value(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
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

    /// A duration as the variables take it: `30s`, `250ms`, `2m`, `1h` (whole units only; milliseconds otherwise).
    public static func formatDuration(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        for (suffix, scale) in [("h", Int64(3_600_000)), ("m", 60_000), ("s", 1000)]
        where milliseconds != 0 && milliseconds % scale == 0 {
            return "\(milliseconds / scale)\(suffix)"
        }
        return milliseconds == 0 ? "0s" : "\(milliseconds)ms"
    }
}

extension String {
    var trimmingSpaces: String {
        String(self.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}

extension Environment {
    /// `LOG_LEVEL`, default `info`; `warn` is accepted for `warning`.
    public func logLevel() throws -> Logger.Level {
        let raw = string("LOG_LEVEL", default: "info")
        guard let level = Logger.Level(name: raw.trimmingSpaces) else {
            try reject(
                ConfigurationError(
                    variable: "LOG_LEVEL",
                    value: raw,
                    expected: "trace, debug, info, notice, warning (or warn), error or critical"
                )
            )
            return .info
        }
        return level
    }
}

extension Environment {
    /// `LOG_FORMAT`, default `json` (one JSON object per line); `text` writes `ts LEVEL label: msg key=value`.
    public func logFormat() throws -> LogFormat {
        let raw = string("LOG_FORMAT", default: LogFormat.json.rawValue)
        guard let format = LogFormat(rawValue: raw.trimmingSpaces.lowercased()) else {
            try reject(ConfigurationError(variable: "LOG_FORMAT", value: raw, expected: "json or text"))
            return .json
        }
        return format
    }
}
