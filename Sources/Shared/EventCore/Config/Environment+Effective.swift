extension Environment {
    /// Words that mark a variable as a secret (`ADMIN_TOKEN`, `RABBIT_PASSWORD`): its value is never logged.
    static let secretWords: Set<Substring> = ["TOKEN", "PASSWORD", "SECRET", "KEY", "CREDENTIALS"]

    /// True when `name` holds a secret (one of its `_`-separated words is in `secretWords`).
    public static func isSecret(_ name: String) -> Bool {
        name.split(separator: "_").contains { secretWords.contains($0) }
    }

    /// Every variable read so far with the value in effect, for the start-up log line: `config.NAME` keys, the
    /// value as set (else the default the parser states), numbers and booleans typed, secrets written
    /// `<redacted>` whenever they have a value, a default one included (`unset` or `empty` otherwise).
    public var effectiveSettings: Logger.Metadata {
        var settings: Logger.Metadata = [:]
        for read in reads {
            let effective = value(read.name)?.trimmingSpaces
            let hasValue = effective != nil || !["unset", "empty"].contains(read.defaultValue)
            settings["config.\(read.name)"] =
                Self.isSecret(read.name) && hasValue ? "<redacted>" : Self.typed(effective ?? read.defaultValue)
        }
        return settings
    }

    private static func typed(_ text: String) -> LogValue {
        if let number = Int(text) { return .int(number) }
        switch text {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: return .string(text)
        }
    }
}
