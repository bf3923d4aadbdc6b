import ClickHouseClient
import Testing

@testable import SinkPipeline

@Suite struct EventTableTests {
    @Test func columnsAreInTableOrder() {
        #expect(EventTable.columns.count == 24)
        #expect(EventTable.columns.first?.name == "event_id")
        #expect(EventTable.columns.last?.name == "message_id")
        #expect(EventTable.columns.map(\.name) == EventTable.definitions.map(\.name))
    }

    @Test func createsDatabaseThenReplacingTable() throws {
        let statements = EventTable.createStatements(for: try QualifiedTable(parsing: "analytics.events"))
        #expect(statements.count == 2)
        #expect(statements[0] == "CREATE DATABASE IF NOT EXISTS analytics")
        #expect(statements[1].hasPrefix("CREATE TABLE IF NOT EXISTS analytics.events (\n    event_id String,\n"))
        #expect(statements[1].contains("    experiment_ids Array(Int64),\n    message_id String\n)"))
        #expect(
            statements[1].hasSuffix(
                ") ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(timestamp) ORDER BY event_id"
            )
        )
    }

    @Test(arguments: ["DateTime64", "LowCardinality", "Map(", "JSON", "Bool", "Nullable", "TTL", "CODEC"])
    func usesNothingClickHouse18Refuses(feature: String) throws {
        let statements = EventTable.createStatements(for: try QualifiedTable(parsing: "a.b"))
        #expect(!statements.joined().contains(feature))
    }
}
