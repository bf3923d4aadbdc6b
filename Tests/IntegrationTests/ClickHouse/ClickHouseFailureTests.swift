import ClickHouseClient
import Foundation
import SinkPipeline
import Testing

@Suite(.needsClickHouse) struct ClickHouseFailureTests {
    typealias Support = ClickHouseTestSupport

    @Test func insertIntoAMissingTableIsAServerError() throws {
        guard TestServers.clickHouseAvailable() else { return }
        try Support.withEventTable { connection, table in
            let missing = QualifiedTable(database: table.database, table: try ClickHouseIdentifier("missing"))
            let error = try #require(throws: ClickHouseError.self) {
                try connection.insert(
                    into: missing,
                    columns: EventTable.columns,
                    jsonEachRow: try Support.jsonEachRow([EventRow(eventID: "x")])
                )
            }
            #expect(error.code == .serverError)
            #expect(error.serverCode == 60)
            #expect(error.httpStatus == 404)
            #expect(error.serverMessage?.contains("missing") == true)
            #expect(connection.preferredHostIndex == 0)
        }
    }

    @Test func aBadStatementIsAServerErrorWithStatus400() throws {
        guard TestServers.clickHouseAvailable() else { return }
        let connection = try ClickHouseConnection(configuration: Support.configuration())
        let error = try #require(throws: ClickHouseError.self) { try connection.execute("SELEC 1") }
        #expect(error.code == .serverError)
        #expect(error.httpStatus == 400)
        #expect(error.serverCode == 62)
    }

    @Test func aRefusingFirstHostFailsOverToTheNextAndIsRemembered() throws {
        guard TestServers.clickHouseAvailable() else { return }
        let refusing = ClickHouseConfiguration.Endpoint(host: "127.0.0.1", port: try Support.unusedPort())
        let connection = try ClickHouseConnection(
            configuration: Support.configuration(hosts: [refusing, Support.server])
        )
        try connection.ping()
        #expect(connection.preferredHostIndex == 1)
        #expect(String(decoding: try connection.execute("SELECT 1 FORMAT TSV"), as: UTF8.self) == "1\n")
        #expect(connection.preferredHostIndex == 1)
    }

    @Test func noReachableHostIsAConnectionFailure() throws {
        let hosts = try (0..<2).map { _ in
            ClickHouseConfiguration.Endpoint(host: "127.0.0.1", port: try Support.unusedPort())
        }
        let connection = try ClickHouseConnection(configuration: Support.configuration(hosts: hosts))
        let error = try #require(throws: ClickHouseError.self) { try connection.ping() }
        #expect(error.code == .connectionFailed)
        #expect(error.message.contains("127.0.0.1:\(hosts[0].port)"))
        #expect(error.message.contains("127.0.0.1:\(hosts[1].port)"))
    }

    @Test func aHostThatNeverAnswersTimesOutWithinTheInsertTimeout() throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let silent = ClickHouseConfiguration.Endpoint(host: "127.0.0.1", port: listener.port)
        let connection = try ClickHouseConnection(
            configuration: Support.configuration(hosts: [silent], insertTimeout: .seconds(1))
        )
        let table = try QualifiedTable(parsing: "db.events")
        let clock = ContinuousClock()
        let started = clock.now
        let error = try #require(throws: ClickHouseError.self) {
            try connection.insert(into: table, columns: EventTable.columns, jsonEachRow: Array("{}\n".utf8))
        }
        let elapsed = clock.now - started
        #expect(error.code == .timeout)
        #expect(elapsed >= .milliseconds(900))
        #expect(elapsed < .seconds(8))
    }

    @Test func aTimedOutRequestIsNotReplayedButTheNextCallUsesTheNextReplica() throws {
        guard TestServers.clickHouseAvailable() else { return }
        let listener = try SilentListener()
        defer { listener.close() }
        let silent = ClickHouseConfiguration.Endpoint(host: "127.0.0.1", port: listener.port)
        let connection = try ClickHouseConnection(
            configuration: Support.configuration(hosts: [silent, Support.server], insertTimeout: .seconds(1))
        )
        let error = try #require(throws: ClickHouseError.self) { try connection.ping() }
        #expect(error.code == .timeout)
        #expect(connection.preferredHostIndex == 1)
        try connection.ping()
    }

    @Test func wrongCredentialsAreAServerErrorThatDoesNotShowThePassword() throws {
        guard TestServers.clickHouseAvailable() else { return }
        var configuration = Support.configuration()
        configuration.password = "not-the-password-\(UInt32.random(in: 0...UInt32.max))"
        let connection = try ClickHouseConnection(configuration: configuration)
        let error = try #require(throws: ClickHouseError.self) { try connection.execute("SELECT 1") }
        #expect(error.code == .serverError)
        #expect(error.message.contains("user and password"))
        #expect(!error.description.contains(configuration.password))
    }
}
