import Foundation

/// Renders one log event as a single JSON object line with a stable key order:
/// `ts`, `level`, `label`, `msg`, then metadata keys sorted.
enum LogLine {
    static func render(
        level: Logger.Level,
        label: String,
        message: String,
        metadata: Logger.Metadata,
        now: Date = Date()
    ) -> String {
        var line = "{\"ts\":\"\(timestamp(now))\",\"level\":\"\(level)\",\"label\":"
        appendQuoted(label, to: &line)
        line += ",\"msg\":"
        appendQuoted(message, to: &line)
        for key in metadata.keys.sorted() {
            line += ","
            appendQuoted(key, to: &line)
            line += ":"
            appendQuoted(metadata[key] ?? "", to: &line)
        }
        line += "}"
        return line
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
