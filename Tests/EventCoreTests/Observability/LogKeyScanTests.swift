import Foundation
import Testing

/// No log key anywhere in the sources is both a value and the prefix of another key (`reason` and
/// `reason.class`): tools that nest dotted keys into objects cannot hold both. The scan reads every Swift file
/// under `Sources`, takes the string keys written near a logger or metadata (`"key": value` within six lines of
/// `logger`, `Logger`, `metadata`, and `metadata["key"] =`), and compares them across the whole code base, since a
/// log pipeline sees the lines of both binaries.
@Suite struct LogKeyScanTests {
    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// Every log key written in the sources, with one place it is written.
    static func logKeys() throws -> [String: String] {
        let keyPattern = try NSRegularExpression(
            pattern: #""([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)":\s|metadata\["([a-z][a-z0-9_.]*)"\]\s*="#
        )
        let marker = try NSRegularExpression(pattern: "logger|Logger|[mM]etadata")
        var keys: [String: String] = [:]
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            var lastMarker = -100
            for (number, line) in try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
                .enumerated()
            {
                let range = NSRange(line.startIndex..., in: line)
                if marker.firstMatch(in: line, range: range) != nil { lastMarker = number }
                guard number - lastMarker <= 6 else { continue }
                for match in keyPattern.matches(in: line, range: range) {
                    for group in 1...2 {
                        guard let found = Range(match.range(at: group), in: line) else { continue }
                        keys[String(line[found])] = "\(file.lastPathComponent):\(number + 1)"
                    }
                }
            }
        }
        return keys
    }

    @Test func theScanFindsTheKnownKeys() throws {
        let keys = try Self.logKeys()
        #expect(
            ["reason.class", "reason.text", "events.count", "error.message", "amqp.queue"].allSatisfy {
                keys[$0] != nil
            }
        )
    }

    @Test func noLogKeyIsAlsoThePrefixOfAnother() throws {
        let keys = try Self.logKeys()
        let collisions = keys.keys.sorted().flatMap { key in
            keys.keys.filter { $0.hasPrefix(key + ".") }.sorted().map {
                "\(key) (\(keys[key] ?? "")) is a prefix of \($0) (\(keys[$0] ?? ""))"
            }
        }
        #expect(collisions.isEmpty, "rename the shorter key (reason -> reason.text, events -> events.count)")
    }
}
