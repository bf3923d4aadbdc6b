import ClickHouseClient
import Foundation
import SinkPipeline
import Testing

@Suite(.needsClickHouse) struct ClickHouseConnectionTests {
    typealias Support = ClickHouseTestSupport

    @Test func pingAnswers() throws {
        guard TestServers.clickHouseAvailable() else { return }
        let connection = try ClickHouseConnection(configuration: Support.configuration())
        try connection.ping()
        try connection.ping()
    }

    @Test func requestsReuseOneKeptAliveConnection() throws {
        guard TestServers.clickHouseAvailable() else { return }
        let connection = try ClickHouseConnection(configuration: Support.configuration())
        try connection.ping()
        try connection.execute("SELECT 1 FORMAT TSV")
        #expect(throws: ClickHouseError.self) { try connection.execute("SELEC 1") }
        try connection.ping()
        #expect(connection.connectionsOpened == 1)
    }

    @Test func schemaCreationIsIdempotent() throws {
        guard TestServers.clickHouseAvailable() else { return }
        try Support.withEventTable { connection, table in
            for statement in EventTable.createStatements(for: table) {
                try connection.execute(statement)
            }
            let answer = try connection.execute("DESCRIBE TABLE \(table) FORMAT TSV")
            let described = String(decoding: answer, as: UTF8.self)
            let names = described.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) }
            #expect(names == EventTable.columns.map(\.name))
            #expect(described.contains("timestamp\tDateTime"))
            #expect(described.contains("experiment_ids\tArray(Int64)"))
        }
    }

    @Test func insertsAHundredRowsAndReadsThemBack() throws {
        guard TestServers.clickHouseAvailable() else { return }
        try Support.withEventTable { connection, table in
            let rows = (0..<100).map { EventRow(eventID: "event-\($0)") }
            try connection.insert(
                into: table,
                columns: EventTable.columns,
                jsonEachRow: try Support.jsonEachRow(rows),
                queryID: "it-insert-\(UUID().uuidString)"
            )
            #expect(try Support.count(connection, table) == 100)
            let times = try connection.execute(
                "SELECT DISTINCT toUnixTimestamp(timestamp), toUnixTimestamp(received_at) FROM \(table) FORMAT TSV"
            )
            #expect(String(decoding: times, as: UTF8.self) == "1700000000\t1700000001\n")
        }
    }

    @Test func insertsABodyOfSeveralMegabytesInOneRequest() throws {
        guard TestServers.clickHouseAvailable() else { return }
        try Support.withEventTable { connection, table in
            let rows = (0..<5000).map { index in
                var row = EventRow(eventID: "bulk-\(index)")
                row.attributes = String(repeating: "x", count: 600)
                return row
            }
            let body = try Support.jsonEachRow(rows)
            #expect(body.count > 3_000_000)
            try connection.insert(into: table, columns: EventTable.columns, jsonEachRow: body)
            #expect(try Support.count(connection, table) == 5000)
        }
    }

    @Test func awkwardStringsRoundTripExactly() throws {
        guard TestServers.clickHouseAvailable() else { return }
        try Support.withEventTable { connection, table in
            var row = EventRow(eventID: "quote'\"id")
            row.attributes = #"{"k":"v \"q\" 'single' back\slash \\n"}"# + "\nline2\r\ttab\u{1}ctl"
            row.current_url = "https://example.com/ü/日本?q=a&b=%20#frag 😀 \u{200B}"
            row.utm_campaign = "'); DROP TABLE x; --"
            try connection.insert(
                into: table,
                columns: EventTable.columns,
                jsonEachRow: try Support.jsonEachRow([row])
            )
            let answer = try connection.execute(
                "SELECT event_id, current_url, attributes, utm_campaign FROM \(table) FORMAT JSONEachRow"
            )
            let read = try JSONDecoder().decode([String: String].self, from: Data(answer))
            #expect(read["event_id"] == row.event_id)
            #expect(read["current_url"] == row.current_url)
            #expect(read["attributes"] == row.attributes)
            #expect(read["utm_campaign"] == row.utm_campaign)
        }
    }

    @Test func duplicatesByEventIDCollapseUnderFinal() throws {
        guard TestServers.clickHouseAvailable() else { return }
        try Support.withEventTable { connection, table in
            let first = ["a", "b", "a"].map(EventRow.init(eventID:))
            let second = ["b", "c", "a"].map(EventRow.init(eventID:))
            for batch in [first, second] {
                try connection.insert(
                    into: table,
                    columns: EventTable.columns,
                    jsonEachRow: try Support.jsonEachRow(batch)
                )
            }
            #expect(try Support.count(connection, table) == 6)
            #expect(try Support.count(connection, table, final: true) == 3)
        }
    }

    @Test func unknownJSONKeysAreSkipped() throws {
        guard TestServers.clickHouseAvailable() else { return }
        try Support.withEventTable { connection, table in
            let body = Array(#"{"event_id":"x","timestamp":"2024-01-02T03:04:05Z","not_a_column":1}"#.utf8)
            try connection.insert(into: table, columns: EventTable.columns, jsonEachRow: body)
            let answer = try connection.execute("SELECT toUnixTimestamp(timestamp) FROM \(table) FORMAT TSV")
            #expect(String(decoding: answer, as: UTF8.self) == "1704164645\n")
        }
    }
}
