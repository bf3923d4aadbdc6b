import Foundation

extension SpoolInspection {
    /// Totals over the files, as `spool inspect` prints them last.
    public struct Summary: Sendable, Equatable {
        public var waitingRecords = 0
        public var waitingMessages = 0
        public var refusedMessages = 0
        public var undecodableRecords = 0
        public var damagedRuns = 0
        public var damagedBytes = 0
    }

    public var summary: Summary {
        var summary = Summary()
        for file in files {
            let decoded = file.records.filter { $0.error == nil }
            switch file.role {
            case .segment, .quarantined:
                let waiting = decoded.filter { !$0.replayed }
                summary.waitingRecords += waiting.count
                summary.waitingMessages += waiting.reduce(0) { $0 + $1.messages }
            case .refused: summary.refusedMessages += decoded.reduce(0) { $0 + $1.messages }
            case .undecodable, .damagedCopy: break
            }
            summary.undecodableRecords += file.records.count - decoded.count
            if file.role != .damagedCopy {
                summary.damagedRuns += file.damage.count
                summary.damagedBytes += file.damage.reduce(0) { $0 + $1.bytes }
            }
        }
        return summary
    }

    /// One JSON document (keys sorted), for scripts.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        } catch {
            preconditionFailure("strings and integers always encode as JSON: \(error)")
        }
    }

    /// Lines for people: each file, its records and its damage, then the totals.
    public var text: String {
        var lines = ["spool \(directory) (replay cursor: \(cursor ?? "none"))"]
        if files.isEmpty { lines.append("no spool files") }
        for file in files {
            let messages = file.records.reduce(0) { $0 + $1.messages }
            lines.append(
                "\(file.role.rawValue) \(file.path): \(file.bytes) bytes, \(file.records.count) records, "
                    + "\(messages) messages, \(file.damage.count) damaged runs"
            )
            for record in file.records {
                lines.append("  " + Self.describe(record))
            }
            for damage in file.damage {
                lines.append("  damage at offset \(damage.offset): \(damage.bytes) bytes skipped (\(damage.reason))")
            }
        }
        let total = summary
        lines.append(
            "waiting for replay: \(total.waitingRecords) records (\(total.waitingMessages) messages); set aside: "
                + "\(total.refusedMessages) refused messages, \(total.undecodableRecords) undecodable records; "
                + "damage: \(total.damagedRuns) runs (\(total.damagedBytes) bytes)"
        )
        return lines.joined(separator: "\n")
    }

    private static func describe(_ record: Record) -> String {
        var text = "record at offset \(record.offset): \(record.bytes) bytes"
        if let error = record.error {
            return text + ", does not decode: \(error)"
        }
        text += ", format \(record.version ?? 0), spooled \(record.spooledAt ?? "at an unknown time")"
        if let from = record.receivedFrom, let to = record.receivedTo {
            text += ", received \(from == to ? from : "\(from) to \(to)")"
        }
        text += ", \(record.messages) messages, routing keys \(record.routingKeys.joined(separator: ","))"
        return record.replayed ? text + " (replayed; deleted with its segment)" : text
    }
}
