import ClickHouseClient
import Foundation
import SinkPipeline
import Testing

/// Helpers for the ClickHouse integration tests: configurations, a scratch database per test, event rows,
/// and sockets that refuse or never answer.
enum ClickHouseTestSupport {
    static var server: ClickHouseConfiguration.Endpoint {
        .init(host: TestServers.clickHouseHost, port: TestServers.clickHousePort)
    }

    static func configuration(
        hosts: [ClickHouseConfiguration.Endpoint] = [server],
        insertTimeout: Duration = .seconds(10)
    ) -> ClickHouseConfiguration {
        ClickHouseConfiguration(hosts: hosts, insertTimeout: insertTimeout, connectTimeout: .seconds(2))
    }

    /// Runs `body` with the events table created in a fresh `it_<random>` database, dropped afterwards.
    static func withEventTable(_ body: (ClickHouseConnection, QualifiedTable) throws -> Void) throws {
        let connection = try ClickHouseConnection(configuration: configuration())
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let table = try QualifiedTable(parsing: "it_\(suffix).events")
        defer {
            do {
                try connection.execute("DROP DATABASE IF EXISTS \(table.database)")
            } catch {
                Issue.record("could not drop scratch database \(table.database): \(error)")
            }
        }
        for statement in EventTable.createStatements(for: table) {
            try connection.execute(statement)
        }
        try body(connection, table)
    }

    /// `SELECT count() FROM table [FINAL]` as a number.
    static func count(_ connection: ClickHouseConnection, _ table: QualifiedTable, final: Bool = false) throws -> Int? {
        let answer = try connection.execute("SELECT count() FROM \(table)\(final ? " FINAL" : "") FORMAT TSV")
        return Int(String(decoding: answer, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// JSONEachRow: one JSON object per line.
    static func jsonEachRow(_ rows: [EventRow]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var body = [UInt8]()
        for row in rows {
            body.append(contentsOf: try encoder.encode(row))
            body.append(UInt8(ascii: "\n"))
        }
        return body
    }

    /// A port on loopback that nothing listens on (bound, read, and released).
    static func unusedPort() throws -> Int {
        let listener = try SilentListener()
        let port = listener.port
        listener.close()
        return port
    }
}

/// One row of the events table, with times as unix seconds.
struct EventRow: Codable, Equatable {
    var event_id: String
    var event_type = "page_view"
    var timestamp = 1_700_000_000
    var timestamp_ms: Int64 = 1_700_000_000_123
    var original_timestamp_ms: Int64 = 1_700_000_000_123
    var timestamp_corrected: UInt8 = 0
    var received_at = 1_700_000_001
    var session_id = "s-1"
    var device_id = "d-1"
    var bb_device_id: Int64 = 42
    var user_id: Int64 = 7
    var client_id = "c-1"
    var client_type = "web"
    var channel = "organic"
    var os = "linux"
    var app_version = "1.2.3"
    var app_language = "en"
    var current_url = "https://example.com/"
    var utm_source = ""
    var utm_medium = ""
    var utm_campaign = ""
    var attributes = "{}"
    var experiment_ids: [Int64] = [1, 2]
    var message_id = "m-1"

    init(eventID: String) {
        self.event_id = eventID
    }
}
