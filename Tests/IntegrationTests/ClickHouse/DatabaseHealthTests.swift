import EventCore
import Foundation
import Testing

@testable import ClickHouseClient

@Suite("Database health cron against the real ClickHouse", .serialized, .needsClickHouse)
struct DatabaseHealthTests {
    static let logger = Logger(label: "health-test", minimumLevel: .critical)

    @Test func anExistingDatabaseIsHealthy() throws {
        guard TestServers.clickHouseAvailable() else { return }
        let health = DatabaseHealth(
            database: try ClickHouseIdentifier("system"),
            configuration: ClickHouseTestSupport.configuration(),
            logger: Self.logger
        )
        health.check()
        #expect(health.status == .init(isHealthy: true, check: 1, problem: nil))
    }

    @Test func aDetachedDatabaseIsUnhealthyUntilItIsAttachedAgain() throws {
        guard TestServers.clickHouseAvailable() else { return }
        try ClickHouseTestSupport.withEventTable { connection, table in
            let gauge = MetricsRegistry().gauge("g", help: "g")
            let health = DatabaseHealth(
                database: table.database,
                configuration: ClickHouseTestSupport.configuration(),
                logger: Self.logger,
                gauge: gauge
            )
            health.check()
            #expect(health.status.isHealthy)
            try connection.execute("DETACH DATABASE \(table.database)")
            health.check()
            #expect(!health.status.isHealthy && gauge.value == 0)
            #expect(health.status.problem?.contains("doesn't exist") == true)
            try connection.execute("ATTACH DATABASE \(table.database)")
            health.check()
            #expect(health.status == .init(isHealthy: true, check: 3, problem: nil))
            #expect(gauge.value == 1)
        }
    }

    @Test func anUnreachableServerIsUnhealthy() throws {
        let port = try ClickHouseTestSupport.unusedPort()
        let health = DatabaseHealth(
            database: try ClickHouseIdentifier("logs"),
            configuration: ClickHouseTestSupport.configuration(hosts: [.init(host: "127.0.0.1", port: port)]),
            logger: Self.logger
        )
        health.check()
        #expect(health.status.isHealthy == false)
        #expect(health.status.problem?.contains("connectionFailed") == true)
    }

    @Test func theCronChecksEveryIntervalAndStopsOnShutdown() async throws {
        guard TestServers.clickHouseAvailable() else { return }
        let health = DatabaseHealth(
            database: try ClickHouseIdentifier("system"),
            configuration: ClickHouseTestSupport.configuration(),
            interval: .milliseconds(50),
            logger: Self.logger
        )
        let running = Task { try await health.run() }
        let checked = try await AMQPTestSupport.eventually(timeout: .seconds(10)) { health.status.check >= 3 }
        health.shutdown()
        try await running.value
        #expect(checked)
        #expect(health.status.isHealthy)
    }
}
