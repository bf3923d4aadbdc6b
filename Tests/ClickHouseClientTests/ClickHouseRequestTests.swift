import EventCore
import Foundation
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

    @Test func withTLSEveryReplicaIsReachedOverHTTPS() throws {
        var configuration = ClickHouseConfiguration(hosts: [endpoint, .init(host: "::1", port: 8443)])
        #expect(configuration.scheme == "http")
        configuration.tls = TLSClientSettings()
        let ping = ClickHouseRequest.ping(timeout: .seconds(1))
        #expect(
            configuration.hosts.map { ping.url(for: $0, scheme: configuration.scheme) } == [
                "https://127.0.0.1:8123/ping", "https://[::1]:8443/ping",
            ]
        )
    }

    @Test func theStatementLogRecordsEachRequestAsOneJSONLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("statements-\(getpid()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let log = try ClickHouseStatementLog(path: path)
            let database = try ClickHouseIdentifier("db")
            log.record(.query("CREATE DATABASE IF NOT EXISTS db", database: database, timeout: .seconds(1)))
            log.record(
                .insert(
                    into: try QualifiedTable(parsing: "db.t"),
                    columns: [try ClickHouseIdentifier("a")],
                    rows: Array("{\"a\":\"\\u00e9\\n\"}\n".utf8),
                    queryID: nil,
                    database: database,
                    timeout: .seconds(1)
                )
            )
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let records = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(records[0]?["body"] as? String == "CREATE DATABASE IF NOT EXISTS db")
        let parameters = records[1]?["parameters"] as? [[String]]
        #expect(parameters?.first { $0.first == "query" }?.last == "INSERT INTO db.t (a) FORMAT JSONEachRow")
        #expect(parameters?.contains(["input_format_skip_unknown_fields", "1"]) == true)
        #expect(records[1]?["body"] as? String == "{\"a\":\"\\u00e9\\n\"}\n")
    }

    @Test func anUnwritableStatementLogIsAConfigurationError() {
        #expect(throws: ClickHouseError.self) { try ClickHouseStatementLog(path: "/nonexistent/dir/log.jsonl") }
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
