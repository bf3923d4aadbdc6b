import EventCore
import HTTP2Server
import IngestPipeline
import Testing

@testable import IngestGateway

@Suite struct GatewayConfigurationTests {
    @Test func defaultsWhenUnset() throws {
        let gateway = try GatewayConfiguration(environment: Environment([:]))
        #expect(gateway.server.port == 8017)
        #expect(gateway.adminPort == 8019)
        #expect(gateway.adminHost == "127.0.0.1")
        #expect(gateway.servers.rabbitPort == 5672)
        #expect(gateway.topologyFile == nil)
        #expect(gateway.drainTimeout == .seconds(30))
    }

    @Test func readsOverridesAndReplicaLists() throws {
        let env = Environment([
            "PORT": "9000", "DRAIN_TIMEOUT": "2500ms", "RABBIT_VHOST": "v", "MAX_MESSAGE_BYTES": "8MiB",
            "EVENT_BUFFERED_MAX_BYTES": "512KiB", "MAX_BUFFERED_REQUEST_BYTES": "1GiB", "LOG_LEVEL": "warn",
            "MAX_CONCURRENT_STREAMS": "32",
        ])
        let gateway = try GatewayConfiguration(environment: env)
        #expect(gateway.server.port == 9000)
        #expect(gateway.maxMessageBytes == 8 << 20 && gateway.server.maxRequestBodyBytes == (8 << 20) + 5)
        #expect(gateway.queueMaxBytes == 512 << 10)
        #expect(gateway.server.maxBufferedRequestBytes == 1 << 30)
        #expect(gateway.logLevel == .warning)
        #expect(gateway.drainTimeout == .milliseconds(2500))
        #expect(gateway.servers.rabbitVhost == "v")
        #expect(gateway.server.maxConcurrentStreams == 32)
    }

    @Test(arguments: [
        ("PORT", "abc"), ("PORT", "70000"), ("RABBIT_PORT", "-1"), ("DRAIN_TIMEOUT", "soon"), ("LOG_LEVEL", "loud"),
        ("EVENT_MAX_BATCH_EVENTS", "0"), ("ADMIN_HOST", "0.0.0.0"), ("MAX_MESSAGE_BYTES", "4MB"),
        ("SHUTDOWN_GRACE", "31s"), ("PUBLISH_ROUND_INTERVAL", "11s"), ("PUBLISH_ROUND_INTERVAL", "-5ms"),
        ("MAX_CONCURRENT_STREAMS", "0"),
    ])
    func badValuesNameTheVariable(variable: String, value: String) {
        #expect {
            _ = try GatewayConfiguration(environment: Environment([variable: value]))
        } throws: { error in
            let description = "\(error)"
            return description.contains(variable) && description.contains(value)
        }
    }

    @Test func theGatewayNeitherReadsNorChecksClickHouseVariables() throws {
        let env = Environment(["CLICKHOUSE_HOST": ",,", "CLICKHOUSE_PORT": "x"])
        _ = try GatewayConfiguration(environment: env)
        #expect(!env.reads.contains { $0.name.hasPrefix("CLICKHOUSE_") })
    }

    @Test func tlsIsOffByDefaultAndOnWithACertificateAndKey() throws {
        #expect(try GatewayConfiguration(environment: Environment([:])).tls == nil)
        let env = Environment([
            "TLS_CERT_FILE": "/c.pem", "TLS_KEY_FILE": "/k.pem", "TLS_CLIENT_CA_FILE": "/ca.pem",
            "TLS_HANDSHAKE_TIMEOUT": "3s",
        ])
        let tls = try #require(try GatewayConfiguration(environment: env).tls)
        #expect(tls.certificateFile == "/c.pem" && tls.keyFile == "/k.pem" && tls.clientCAFile == "/ca.pem")
        #expect(tls.handshakeTimeout == .seconds(3))
    }

    @Test(arguments: [
        (["TLS_CERT_FILE": "/c.pem"], "TLS_KEY_FILE"), (["TLS_KEY_FILE": "/k.pem"], "TLS_CERT_FILE"),
        (["TLS_CLIENT_CA_FILE": "/ca.pem"], "TLS_CERT_FILE"),
        (
            ["TLS_CERT_FILE": "/c.pem", "TLS_KEY_FILE": "/k.pem", "TLS_HANDSHAKE_TIMEOUT": "1ms"],
            "TLS_HANDSHAKE_TIMEOUT"
        ),
    ])
    func aHalfGivenTLSSetupIsRefused(variables: [String: String], named: String) {
        #expect {
            _ = try GatewayConfiguration(environment: Environment(variables))
        } throws: { error in
            "\(error)".contains(named)
        }
    }

    /// (environment, interval, calls that end a hold): the interval defaults to 350 ms, 0 turns it off, and a held
    /// round goes once the queue is full, whatever the dispatch slots.
    @Test(arguments: [
        ([:], Duration.milliseconds(350), 1000),
        (["PUBLISH_ROUND_INTERVAL": "0"], .zero, 1000),
        (["PUBLISH_ROUND_INTERVAL": "100ms", "EVENT_BUFFERED_CHANNEL_SIZE": "64"], .milliseconds(100), 64),
        (["MAX_CONCURRENT_DISPATCHES": "1"], .milliseconds(350), 1000),
    ])
    func roundInterval(environment: [String: String], interval: Duration, holdCalls: Int) throws {
        let gateway = try GatewayConfiguration(environment: Environment(environment))
        #expect(gateway.rounds.interval == interval)
        #expect(gateway.rounds.holdCalls == holdCalls)
        #expect(gateway.rounds.maxEvents == 50_000 && gateway.rounds.maxBytes == 16 << 20)
    }
}
