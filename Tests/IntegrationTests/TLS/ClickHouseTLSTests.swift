import EventCore
import Foundation
import Testing

@testable import ClickHouseClient

/// HTTPS to the test stack's ClickHouse (its `https_port`): statements, inserts, the health check and fail-over all
/// over TLS, and each way a TLS connection must be refused with an error that says what to fix.
@Suite("ClickHouse over HTTPS against the real HTTPS port", .serialized, .needsTLSListeners)
struct ClickHouseTLSTests {
    private func configuration(
        ports: [Int] = [TLSTestServers.clickHouseHTTPSPort],
        tls: TLSClientSettings? = TLSTestServers.settings()
    ) -> ClickHouseConfiguration {
        var configuration = ClickHouseTestSupport.configuration(hosts: ports.map { .init(host: "127.0.0.1", port: $0) })
        configuration.tls = tls
        configuration.connectTimeout = .seconds(1)
        return configuration
    }

    private func refusal(_ configuration: ClickHouseConfiguration) throws -> ClickHouseError? {
        let connection = try ClickHouseConnection(configuration: configuration)
        do {
            try connection.ping()
            return nil
        } catch {
            return error
        }
    }

    @Test func statementsAndInsertsGoOverHTTPSTrustingTheTestCA() throws {
        let connection = try ClickHouseConnection(configuration: configuration())
        try connection.ping()
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let table = try QualifiedTable(parsing: "tls_\(suffix).events")
        defer { _ = try? connection.execute("DROP DATABASE IF EXISTS \(table.database)") }
        try connection.execute("CREATE DATABASE \(table.database)")
        try connection.execute("CREATE TABLE \(table) (event_id String) ENGINE = MergeTree() ORDER BY event_id")
        let rows = (1...3).map { "{\"event_id\":\"e\($0)\"}\n" }.joined()
        try connection.insert(
            into: table,
            columns: [try ClickHouseIdentifier("event_id")],
            jsonEachRow: Array(rows.utf8)
        )
        let count = try connection.execute("SELECT count() FROM \(table) FORMAT TSV")
        #expect(String(decoding: count, as: UTF8.self) == "3\n")
        #expect(connection.connectionsOpened == 1, "one kept-alive TLS connection for every request")
    }

    @Test func theHealthCheckPassesOverHTTPS() throws {
        let health = DatabaseHealth(
            database: try ClickHouseIdentifier("system"),
            configuration: configuration(),
            logger: Logger(label: "tls-health", minimumLevel: .critical)
        )
        health.check()
        #expect(health.status == .init(isHealthy: true, check: 1, problem: nil))
    }

    @Test func failsOverFromAReplicaThatDoesNotSpeakTLSToOneThatDoes() throws {
        let connection = try ClickHouseConnection(
            configuration: configuration(ports: [TestServers.clickHousePort, TLSTestServers.clickHouseHTTPSPort])
        )
        try connection.execute("SELECT 1")
        #expect(connection.preferredHostIndex == 1)
    }

    @Test func aServerCertificateFromAnotherCAIsRefused() throws {
        let error = try #require(try refusal(configuration(tls: TLSTestServers.settings(ca: "other-ca.pem"))))
        #expect(error.code == .tlsFailed && error.message.contains("CLICKHOUSE_CA_FILE"), "\(error)")
        #expect(error.message.contains("unable to get local issuer certificate"))
    }

    @Test func anExpiredServerCertificateIsRefused() throws {
        let server = try TestTLSServer(certificate: "expired")
        let error = try #require(try refusal(configuration(ports: [server.port])))
        #expect(error.code == .tlsFailed && error.message.contains("certificate has expired"))
    }

    @Test func aCertificateForAnotherHostIsRefusedUnlessTheCheckIsOff() throws {
        let server = try TestTLSServer(certificate: "wrong-host")
        let error = try #require(try refusal(configuration(ports: [server.port])))
        #expect(error.code == .tlsFailed && error.message.contains("CLICKHOUSE_TLS_VERIFY_HOSTNAME=0"))
        var lenient = TLSTestServers.settings()
        lenient.verifyHostname = false
        // s_server answers /ping with its status page: TLS passed, ClickHouse's answer is what fails.
        let later = try #require(try refusal(configuration(ports: [server.port], tls: lenient)))
        #expect(later.code == .invalidResponse)
    }

    @Test func httpsToThePlainHTTPPortIsRefusedNamingTheHTTPSPort() throws {
        let error = try #require(try refusal(configuration(ports: [TestServers.clickHousePort])))
        #expect(error.code == .tlsFailed && error.message.contains("HTTPS port"))
    }

    /// A plain HTTP port may wait for the rest of what it takes for a request line and never answer the
    /// handshake (ClickHouse does, depending on the ClientHello's random bytes): a timeout after the TCP connect
    /// is a TLS refusal too, whichever of libcurl's timers noticed it.
    @Test func aPortThatAcceptsButNeverAnswersTheHandshakeIsATLSRefusal() throws {
        let listener = try SilentListener()
        let error = try #require(try refusal(configuration(ports: [listener.port])))
        #expect(error.code == .tlsFailed && error.message.contains("HTTPS port"), "\(error)")
    }

    @Test func plainHTTPToTheHTTPSPortIsRefusedSuggestingClickHouseSecure() throws {
        let error = try #require(try refusal(configuration(tls: nil)))
        #expect(error.code == .connectionFailed && error.message.contains("CLICKHOUSE_SECURE=1"))
    }
}
