extension Environment {
    /// Binary units a size may carry, largest first: `64MiB`, `512KiB`, `1GiB`; a bare number is bytes.
    static let sizeUnits: [(suffix: String, bytes: Int)] = [
        ("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1),
    ]

    /// A size in bytes: `64MiB`, `4MiB`, `512KiB`, `1GiB`, `4096B` or plain `4096`.
    public func bytes(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        recordRead(name, default: Self.formatBytes(defaultValue))
        guard let raw = value(name) else { return defaultValue }
        guard let value = Self.parseBytes(raw.trimmingSpaces), range.contains(value) else {
            try reject(
                ConfigurationError(
                    variable: name,
                    value: raw,
                    expected: "a size between \(Self.formatBytes(range.lowerBound)) and "
                        + "\(Self.formatBytes(range.upperBound)), in bytes or with a unit (512KiB, 64MiB, 1GiB)"
                )
            )
            return defaultValue
        }
        return value
    }

    /// Parses `64MiB`, `512 KiB`, `1GiB`, `100B` or plain bytes; nil for anything else (negative, fractional,
    /// unknown unit, overflow).
    static func parseBytes(_ text: String) -> Int? {
        for unit in sizeUnits where text.hasSuffix(unit.suffix) {
            guard let number = Int(String(text.dropLast(unit.suffix.count)).trimmingSpaces), number >= 0 else {
                return nil
            }
            let (product, overflow) = number.multipliedReportingOverflow(by: unit.bytes)
            return overflow ? nil : product
        }
        guard let number = Int(text), number >= 0 else { return nil }
        return number
    }

    /// The largest whole unit that states `bytes` exactly: `64MiB`, `1GiB`, `1000` (plain bytes otherwise).
    static func formatBytes(_ bytes: Int) -> String {
        for unit in sizeUnits where unit.bytes > 1 && bytes != 0 && bytes % unit.bytes == 0 {
            return "\(bytes / unit.bytes)\(unit.suffix)"
        }
        return String(bytes)
    }
}
