import Foundation
import Testing

@testable import EventCore

@Suite struct TLSClientSettingsTests {
    /// A readable file standing in for a PEM file (only readability is checked when parsing).
    static let readable: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tls-settings-\(getpid()).pem").path
        let created = FileManager.default.createFile(
            atPath: path,
            contents: Data("-----BEGIN CERTIFICATE-----\n".utf8)
        )
        precondition(created, "cannot write \(path)")
        return path
    }()

    @Test func plaintextByDefaultOnTheUsualPorts() throws {
        let servers = try ServerAddresses(environment: Environment([:]))
        #expect(servers.rabbitTLS == nil && servers.clickHouseTLS == nil)
        #expect(servers.rabbitPort == 5672 && servers.clickHousePort == 8123)
    }

    @Test func tlsSwitchesTheDefaultPortsAndReadsTheFiles() throws {
        let env = Environment([
            "RABBIT_TLS": "1", "RABBIT_CA_FILE": Self.readable, "RABBIT_CERT_FILE": Self.readable,
            "RABBIT_KEY_FILE": Self.readable, "CLICKHOUSE_SECURE": "true", "CLICKHOUSE_CA_FILE": Self.readable,
            "CLICKHOUSE_TLS_VERIFY_HOSTNAME": "0",
        ])
        let servers = try ServerAddresses(environment: env)
        #expect(servers.rabbitPort == 5671 && servers.clickHousePort == 8443)
        #expect(
            servers.rabbitTLS
                == TLSClientSettings(caFile: Self.readable, certificateFile: Self.readable, keyFile: Self.readable)
        )
        #expect(servers.clickHouseTLS == TLSClientSettings(caFile: Self.readable, verifyHostname: false))
    }

    @Test func anExplicitPortWinsOverTheTLSDefault() throws {
        let env = Environment([
            "RABBIT_TLS": "1", "RABBIT_PORT": "5683", "CLICKHOUSE_SECURE": "1", "CLICKHOUSE_PORT": "8134",
        ])
        let servers = try ServerAddresses(environment: env)
        #expect(servers.rabbitPort == 5683 && servers.clickHousePort == 8134)
        #expect(servers.rabbitTLS?.caFile == nil && servers.rabbitTLS?.verifyHostname == true)
    }

    @Test(arguments: [
        // A TLS setting without TLS on would be silently ignored: the operator would believe the hop encrypted.
        (["RABBIT_CA_FILE": readable], ["RABBIT_CA_FILE"]),
        (["CLICKHOUSE_TLS_VERIFY_HOSTNAME": "0"], ["CLICKHOUSE_TLS_VERIFY_HOSTNAME"]),
        // Files must be readable; a certificate needs its key.
        (["RABBIT_TLS": "1", "RABBIT_CA_FILE": "/nonexistent/ca.pem"], ["RABBIT_CA_FILE"]),
        (["CLICKHOUSE_SECURE": "1", "CLICKHOUSE_CA_FILE": "/tmp"], ["CLICKHOUSE_CA_FILE"]),
        (["RABBIT_TLS": "1", "RABBIT_CERT_FILE": readable], ["RABBIT_KEY_FILE"]),
        (["CLICKHOUSE_SECURE": "1", "CLICKHOUSE_KEY_FILE": readable], ["CLICKHOUSE_CERT_FILE"]),
        (["RABBIT_TLS": "maybe", "CLICKHOUSE_SECURE": "2"], ["RABBIT_TLS", "CLICKHOUSE_SECURE"]),
    ])
    func refusesWhatCannotWork(values: [String: String], variables: [String]) throws {
        let env = Environment.collecting(values)
        _ = try ServerAddresses(environment: env)
        #expect(env.errors.map(\.variable) == variables)
    }

    @Test func theGatewayReadsNoClickHouseTLSVariable() throws {
        let env = Environment.collecting(["RABBIT_TLS": "1"])
        let servers = try ServerAddresses(environment: env, clickHouse: false)
        #expect(servers.rabbitTLS != nil && servers.clickHouseTLS == nil)
        #expect(!env.reads.contains { $0.name.hasPrefix("CLICKHOUSE_") })
    }
}
