import ClickHouseClient
import EventWire
import Testing

@testable import SinkPipeline

@Suite struct EventTableTests {
    @Test func columnsAreInTableOrder() {
        #expect(EventTable.columns.count == 33)
        #expect(EventTable.columns.first?.name == "event_id")
        #expect(EventTable.columns.last?.name == "written_at")
        #expect(EventTable.columns.map(\.name) == EventTable.definitions.map(\.name))
    }

    @Test func createsDatabaseThenReplacingTable() throws {
        let statements = EventTable.createStatements(for: try QualifiedTable(parsing: "analytics.events"))
        #expect(statements.count == 2)
        #expect(statements[0] == "CREATE DATABASE IF NOT EXISTS analytics")
        #expect(statements[1].hasPrefix("CREATE TABLE IF NOT EXISTS analytics.events (\n    event_id String,\n"))
        #expect(statements[1].contains("    experiment_ids Array(Int64),\n    message_id String,\n"))
        #expect(statements[1].contains("    received_at_ms Int64,\n    written_at DateTime\n)"))
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

@Suite struct EventTableMigrationTests {
    /// The columns of the first release's table (`EventTable.definitions` before the header fields were added).
    static let firstRelease = Array(EventTable.definitions.prefix(24))

    @Test func everyHeaderFieldHasAColumn() {
        let names = ["bbDeviceId", "userId"] + Header.stringFields.map(\.name)
        #expect(names.count == 20)
        let columns = Set(EventTable.columns.map(\.name))
        for name in names {
            let column =
                name == "currentURL"
                ? "header_current_url"
                : name.reduce(into: "") { snake, character in
                    if character.isUppercase { snake += "_" }
                    snake += character.lowercased()
                }
            #expect(columns.contains(column), "header field \(name) has no column \(column)")
        }
        #expect(columns.isSuperset(of: ["received_at", "received_at_ms", "written_at"]))
    }

    @Test func aFirstReleaseTableGetsTheNewColumnsAddedInTableOrder() throws {
        #expect(Self.firstRelease.last?.name == "message_id")
        let report = EventTable.report(existing: Self.firstRelease)
        #expect(report.mismatched.isEmpty)
        #expect(
            report.added == [
                "android_advertising_id", "app_version_code", "header_current_url", "merchant_id", "utm_referrer",
                "utm_platform", "pp_id", "received_at_ms", "written_at",
            ]
        )
        let statement = EventTable.addColumnsStatement(
            for: try QualifiedTable(parsing: "analytics.events"),
            adding: report.added.reversed()
        )
        #expect(
            statement
                == "ALTER TABLE analytics.events ADD COLUMN android_advertising_id String, "
                + "ADD COLUMN app_version_code String, ADD COLUMN header_current_url String, "
                + "ADD COLUMN merchant_id String, ADD COLUMN utm_referrer String, ADD COLUMN utm_platform String, "
                + "ADD COLUMN pp_id String, ADD COLUMN received_at_ms Int64, ADD COLUMN written_at DateTime"
        )
    }

    @Test func aCompleteTableNeedsNoStatementAndAnOtherTypeIsReportedNotChanged() throws {
        var existing = EventTable.definitions
        existing[3].type = "UInt64"
        existing.append(("operator_column", "String"))
        let report = EventTable.report(existing: existing)
        #expect(report.added.isEmpty)
        #expect(report.mismatched == [.init(column: "timestamp_ms", expected: "Int64", found: "UInt64")])
        #expect(EventTable.addColumnsStatement(for: try QualifiedTable(parsing: "a.b"), adding: []) == nil)
    }

    @Test func readsDescribeOutputOfOldAndCurrentReleases() {
        let old = "event_id\tString\t\t\nexperiment_ids\tArray(Int64)\t\t\n"
        let current = "event_id\tString\t\t\t\t\t\nwritten_at\tDateTime\tDEFAULT\tnow()\t\t\t\n"
        #expect(EventTable.describedColumns(old).map(\.name) == ["event_id", "experiment_ids"])
        #expect(EventTable.describedColumns(old).map(\.type) == ["String", "Array(Int64)"])
        #expect(EventTable.describedColumns(current).map(\.type) == ["String", "DateTime"])
    }
}
