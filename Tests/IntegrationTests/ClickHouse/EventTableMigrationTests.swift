import AMQPClient
import ClickHouseClient
import Foundation
import SinkPipeline
import Testing

/// A worker meeting a table created by an earlier release (or by an operator) adds the columns it lacks, keeps
/// every column and row it finds, and writes its rows there.
@Suite(.needsClickHouse) struct EventTableMigrationTests {
    typealias Support = ClickHouseTestSupport

    /// `EventTable.createStatements(for:)` of the first release, verbatim (the table before the header fields,
    /// `received_at_ms` and `written_at` were added).
    static func firstReleaseStatements(_ table: QualifiedTable) -> [String] {
        [
            "CREATE DATABASE IF NOT EXISTS \(table.database)",
            """
            CREATE TABLE IF NOT EXISTS \(table) (
                event_id String,
                event_type String,
                timestamp DateTime,
                timestamp_ms Int64,
                original_timestamp_ms Int64,
                timestamp_corrected UInt8,
                received_at DateTime,
                session_id String,
                device_id String,
                bb_device_id Int64,
                user_id Int64,
                client_id String,
                client_type String,
                channel String,
                os String,
                app_version String,
                app_language String,
                current_url String,
                utm_source String,
                utm_medium String,
                utm_campaign String,
                attributes String,
                experiment_ids Array(Int64),
                message_id String
            ) ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(timestamp) ORDER BY event_id
            """,
        ]
    }

    /// Runs `body` with a scratch database holding no table yet, dropped afterwards.
    static func withScratchDatabase(_ body: (ClickHouseConnection, QualifiedTable) throws -> Void) throws {
        let connection = try ClickHouseConnection(configuration: Support.configuration())
        let table = try QualifiedTable(parsing: "it_mig_\(String(UInt64.random(in: 0...UInt64.max), radix: 16)).events")
        defer {
            do {
                try connection.execute("DROP DATABASE IF EXISTS \(table.database)")
            } catch {
                Issue.record("could not drop scratch database \(table.database): \(error)")
            }
        }
        try body(connection, table)
    }

    static func describe(_ connection: ClickHouseConnection, _ table: QualifiedTable) throws -> [String] {
        let answer = try connection.execute("DESCRIBE TABLE \(table) FORMAT TSV")
        return String(decoding: answer, as: UTF8.self).split(separator: "\n").map { line in
            line.split(separator: "\t", omittingEmptySubsequences: false).prefix(2).joined(separator: " ")
        }
    }

    /// A message of the calls shape with every header field set, rendered as the sinks render it.
    static func newRows() throws -> DeliveryRows {
        let body = """
            {"calls":[{"header":{"bbDeviceId":7,"userId":42,"sessionId":"s","deviceId":"d",\
            "androidAdvertisingId":"aaid","clientId":"c","channel":"ch","os":"android","clientType":"app",\
            "appLanguage":"en","appVersion":"5.1","appVersionCode":"501","currentURL":"/header","merchantId":"m",\
            "utmReferrer":"ref","utmPlatform":"plat","utmSource":"src","utmMedium":"med","utmCampaign":"camp",\
            "ppId":"pp"},"receivedAt":1700000000123,"events":[{"id":"new-1","type":"app.open",\
            "timestamp":1700000000000,"originalTimestamp":1700000000000,"timestampCorrected":false,\
            "currentURL":"/a","attributes":{"k":"v"},"experimentIds":[1,2]}]}]}
            """
        let delivery = Delivery(
            body: Array(body.utf8),
            exchange: "events",
            routingKey: "app.open",
            messageID: "m-new",
            headers: [:],
            redelivered: false,
            deliveryTag: 1
        )
        return try DeliveryRows(delivery)
    }

    @Test func aFirstReleaseTableGetsTheNewColumnsKeepsItsRowsAndTakesNewRows() throws {
        guard TestServers.clickHouseAvailable() else { return }
        try Self.withScratchDatabase { connection, table in
            for statement in Self.firstReleaseStatements(table) { try connection.execute(statement) }
            let old = try Support.jsonEachRow([EventRow(eventID: "old-1")])
            try connection.insert(into: table, columns: [], jsonEachRow: old)

            // What a new worker does at start: the idempotent CREATE, then the missing columns.
            for statement in EventTable.createStatements(for: table) { try connection.execute(statement) }
            let report = try EventTable.ensureColumns(of: table, using: connection)
            #expect(report.added.count == 9)
            #expect(report.mismatched.isEmpty)
            #expect(
                try Self.describe(connection, table).map { String($0.prefix { $0 != " " }) }
                    == EventTable.columns.map(\.name)
            )
            #expect(try Self.describe(connection, table).contains("written_at DateTime"))
            #expect(try EventTable.ensureColumns(of: table, using: connection).added.isEmpty, "idempotent")

            let rows = try Self.newRows()
            try connection.insert(into: table, columns: EventTable.columns, jsonEachRow: rows.bytes)
            let answer = try connection.execute(
                """
                SELECT event_id, session_id, header_current_url, current_url, pp_id, received_at_ms, \
                toUnixTimestamp(received_at), android_advertising_id, written_at > 0 \
                FROM \(table) ORDER BY event_id FORMAT TSV
                """
            )
            #expect(
                String(decoding: answer, as: UTF8.self)
                    == "new-1\ts\t/header\t/a\tpp\t1700000000123\t1700000000\taaid\t1\n"
                    + "old-1\ts-1\t\thttps://example.com/\t\t0\t1700000001\t\t0\n"
            )
        }
    }

    @Test func anOperatorsTableKeepsItsEngineExtraColumnsAndTypes() throws {
        guard TestServers.clickHouseAvailable() else { return }
        try Self.withScratchDatabase { connection, table in
            try connection.execute("CREATE DATABASE IF NOT EXISTS \(table.database)")
            try connection.execute(
                """
                CREATE TABLE \(table) (event_id String, event_type String, timestamp DateTime, \
                timestamp_ms UInt64, team String) ENGINE = MergeTree() ORDER BY (timestamp, event_id)
                """
            )
            for statement in EventTable.createStatements(for: table) { try connection.execute(statement) }
            let report = try EventTable.ensureColumns(of: table, using: connection)
            #expect(report.added.count == EventTable.columns.count - 4)
            #expect(report.mismatched == [.init(column: "timestamp_ms", expected: "Int64", found: "UInt64")])
            let columns = try Self.describe(connection, table)
            #expect(
                columns.prefix(5) == [
                    "event_id String", "event_type String", "timestamp DateTime",
                    "timestamp_ms UInt64", "team String",
                ]
            )
            #expect(columns.count == EventTable.columns.count + 1)
            try connection.insert(into: table, columns: EventTable.columns, jsonEachRow: try Self.newRows().bytes)
            #expect(try Support.count(connection, table) == 1)
            let engine = try connection.execute("SHOW CREATE TABLE \(table) FORMAT TSV")
            #expect(String(decoding: engine, as: UTF8.self).contains("ENGINE = MergeTree"))
        }
    }
}
