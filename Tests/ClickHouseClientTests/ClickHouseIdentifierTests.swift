import Testing

@testable import ClickHouseClient

@Suite struct ClickHouseIdentifierTests {
    @Test(arguments: ["events", "_x", "A", "event_id", "t2024_01", "_", String(repeating: "a", count: 64)])
    func acceptsPlainNames(name: String) throws {
        #expect(try ClickHouseIdentifier(name).name == name)
    }

    @Test(arguments: [
        "", "1abc", "a;DROP", "a;DROP TABLE x", "`a`", "a`", "a b", "a-b", "a.b", "a'", "a\"", "a\\", "a\n",
        "a\u{0}", "événement", "tablé", "日本", "a\u{200B}", "a--", "a/*", "${x}", "Ａ",
        String(repeating: "a", count: 65),
    ])
    func rejectsEverythingElse(name: String) {
        #expect {
            try ClickHouseIdentifier(name)
        } throws: { error in
            (error as? ClickHouseError)?.code == .invalidIdentifier
        }
    }

    @Test func rejectionMessageIsBoundedAndEscaped() throws {
        let error = try #require(throws: ClickHouseError.self) {
            try ClickHouseIdentifier("x\n" + String(repeating: "y", count: 500))
        }
        #expect(!error.message.contains("\n"))
        #expect(error.message.count < 300)
    }

    @Test func parsesQualifiedTable() throws {
        let table = try QualifiedTable(parsing: "analytics.events")
        #expect(table.database.name == "analytics")
        #expect(table.table.name == "events")
        #expect(table.description == "analytics.events")
    }

    @Test(arguments: ["events", "a.b.c", ".events", "analytics.", "", "a.b;DROP", "a .b", "`a`.b", "a..b"])
    func rejectsBadQualifiedTables(text: String) {
        #expect {
            try QualifiedTable(parsing: text)
        } throws: { error in
            (error as? ClickHouseError)?.code == .invalidIdentifier
        }
    }
}
