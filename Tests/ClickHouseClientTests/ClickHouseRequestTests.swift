import Testing

@testable import ClickHouseClient

@Suite struct ClickHouseRequestTests {
    let endpoint = ClickHouseConfiguration.Endpoint(host: "127.0.0.1", port: 8123)

    @Test func insertPutsTheStatementAndSettingsInTheURLAndRowsInTheBody() throws {
        let table = try QualifiedTable(parsing: "analytics.events")
        let columns = try ["event_id", "timestamp"].map(ClickHouseIdentifier.init)
        let rows = Array(#"{"event_id":"a'b","timestamp":1}"#.utf8)
        let request = ClickHouseRequest.insert(
            into: table,
            columns: columns,
            rows: rows,
            queryID: "batch 7/1",
            database: try ClickHouseIdentifier("default"),
            timeout: .seconds(3)
        )
        #expect(request.method == .post)
        #expect(request.body == rows)
        #expect(request.timeout == .seconds(3))
        #expect(
            request.url(for: endpoint)
                == "http://127.0.0.1:8123/?database=default"
                + "&query=INSERT%20INTO%20analytics.events%20%28event_id%2C%20timestamp%29%20FORMAT%20JSONEachRow"
                + "&input_format_skip_unknown_fields=1&date_time_input_format=best_effort&query_id=batch%207%2F1"
        )
    }

    @Test func insertWithoutQueryIDHasNoQueryIDParameter() throws {
        let request = ClickHouseRequest.insert(
            into: try QualifiedTable(parsing: "d.t"),
            columns: [],
            rows: [],
            queryID: nil,
            database: try ClickHouseIdentifier("default"),
            timeout: .seconds(1)
        )
        #expect(!request.url(for: endpoint).contains("query_id"))
        #expect(request.parameters.first { $0.name == "query" }?.value == "INSERT INTO d.t FORMAT JSONEachRow")
    }

    @Test func queryPutsTheStatementInTheBody() throws {
        let database = try ClickHouseIdentifier("db")
        let request = ClickHouseRequest.query("SELECT 1", database: database, timeout: .seconds(5))
        #expect(request.body == Array("SELECT 1".utf8))
        #expect(request.url(for: endpoint) == "http://127.0.0.1:8123/?database=db&wait_end_of_query=1")
    }

    @Test func pingIsAGetWithoutParameters() {
        let request = ClickHouseRequest.ping(timeout: .seconds(2))
        #expect(request.method == .get)
        #expect(request.url(for: endpoint) == "http://127.0.0.1:8123/ping")
        #expect(request.url(for: .init(host: "::1", port: 8123)) == "http://[::1]:8123/ping")
    }

    @Test(arguments: [
        ("abc-._~XYZ09", "abc-._~XYZ09"), ("a b", "a%20b"), ("a&b=c", "a%26b%3Dc"), ("é", "%C3%A9"),
        ("#?/+%", "%23%3F%2F%2B%25"), ("\n", "%0A"),
    ])
    func percentEncodesEverythingButUnreserved(input: String, expected: String) {
        #expect(percentEncoded(input) == expected)
    }
}
