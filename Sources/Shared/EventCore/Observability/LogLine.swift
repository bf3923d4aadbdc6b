import Foundation

/// Renders one log event as a single line with a stable key order: `ts`, `level`, `label`, `msg`, then metadata
/// keys sorted. JSON lines type their values (`LogValue`); text lines are `ts LEVEL label: msg key=value ...`.
///
/// A key that is also the prefix of another key of the same line (`reason` next to `reason.class`) breaks tools
/// that nest dotted keys into objects; such a line is flagged with `log.colliding_keys` naming the short keys, so
/// the bug shows in the line itself (the source scan in the tests catches it before that).
enum LogLine {
    static func render(
        level: Logger.Level,
        label: String,
        message: String,
        metadata: Logger.Metadata,
        format: LogFormat = .json,
        now: Date = Date()
    ) -> String {
        var fields = metadata
        let colliding = collidingKeys(metadata.keys)
        if !colliding.isEmpty {
            fields["log.colliding_keys"] = .string(colliding.joined(separator: ","))
        }
        switch format {
        case .json: return json(level: level, label: label, message: message, fields: fields, now: now)
        case .text: return text(level: level, label: label, message: message, fields: fields, now: now)
        }
    }

    /// The keys that are also a dotted prefix of another key (`reason` when `reason.class` is present), sorted.
    static func collidingKeys(_ keys: some Collection<String>) -> [String] {
        guard keys.count > 1 else { return [] }
        let prefixes = Set(keys.flatMap { key in key.indices.filter { key[$0] == "." }.map { String(key[..<$0]) } })
        return keys.filter { prefixes.contains($0) }.sorted()
    }

    private static func json(
        level: Logger.Level,
        label: String,
        message: String,
        fields: Logger.Metadata,
        now: Date
    ) -> String {
        var line = "{\"ts\":\"\(timestamp(now))\",\"level\":\"\(level)\",\"label\":"
        appendQuoted(label, to: &line)
        line += ",\"msg\":"
        appendQuoted(message, to: &line)
        for key in fields.keys.sorted() {
            line += ","
            appendQuoted(key, to: &line)
            line += ":"
            appendJSON(fields[key] ?? "", to: &line)
        }
        line += "}"
        return line
    }

    private static func text(
        level: Logger.Level,
        label: String,
        message: String,
        fields: Logger.Metadata,
        now: Date
    ) -> String {
        var line = "\(timestamp(now)) \("\(level)".uppercased()) \(label): \(message)"
        for key in fields.keys.sorted() {
            line += " \(key)="
            let value = fields[key] ?? ""
            let text = value.description
            if case .string = value,
                text.isEmpty || text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" })
                    || text.unicodeScalars.contains(where: { $0.value < 0x20 })
            {
                appendQuoted(text, to: &line)
            } else {
                line += text
            }
        }
        return line
    }

    static func appendJSON(_ value: LogValue, to line: inout String) {
        switch value {
        case .string(let text): appendQuoted(text, to: &line)
        case .int(let number): line += "\(number)"
        case .double(let number) where number.isFinite: line += "\(number)"
        case .double(let number): appendQuoted("\(number)", to: &line)
        case .bool(let flag): line += flag ? "true" : "false"
        }
    }

    static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var time = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
            Int(parts.tm_year) + 1900,
            Int(parts.tm_mon) + 1,
            Int(parts.tm_mday),
            Int(parts.tm_hour),
            Int(parts.tm_min),
            Int(parts.tm_sec),
            Int(millis % 1000)
        )
    }

    /// JSON string escaping (RFC 8259): quotes, backslash and control characters.
    static func appendQuoted(_ value: String, to line: inout String) {
        line += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20:
                line += String(format: "\\u%04x", scalar.value)
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}
