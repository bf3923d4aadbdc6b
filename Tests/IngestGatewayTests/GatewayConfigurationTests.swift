import EventCore
import HTTP2Server
import Testing

@testable import IngestGateway

@Suite struct GatewayConfigurationTests {
    @Test func defaultsWhenUnset() throws {
        let gateway = try GatewayConfiguration(environment: Environment([:]))
        #expect(gateway.server.port == 8017)
        #expect(gateway.adminPort == 8019)
        #expect(gateway.adminHost == "127.0.0.1")
        #expect(gateway.servers.rabbitPort == 5672)
        #expect(gateway.servers.clickHousePort == 8123)
        #expect(gateway.topologyFile == nil)
        #expect(gateway.drainTimeout == .seconds(30))
    }

    @Test func readsOverridesAndReplicaLists() throws {
        let env = Environment([
            "PORT": "9000", "CLICKHOUSE_HOST": "a, b", "DRAIN_TIMEOUT": "2500ms", "RABBIT_VHOST": "v",
        ])
        let gateway = try GatewayConfiguration(environment: env)
        #expect(gateway.server.port == 9000)
        #expect(gateway.servers.clickHouseHosts == ["a", "b"])
        #expect(gateway.drainTimeout == .milliseconds(2500))
        #expect(gateway.servers.rabbitVhost == "v")
    }

    @Test(arguments: [
        ("PORT", "abc"), ("PORT", "70000"), ("RABBIT_PORT", "-1"), ("DRAIN_TIMEOUT", "soon"), ("LOG_LEVEL", "loud"),
        ("CLICKHOUSE_HOST", ",,"), ("EVENT_MAX_BATCH_EVENTS", "0"), ("ADMIN_HOST", "0.0.0.0"),
    ])
    func badValuesNameTheVariable(variable: String, value: String) {
        #expect {
            _ = try GatewayConfiguration(environment: Environment([variable: value]))
        } throws: { error in
            let description = "\(error)"
            return description.contains(variable) && description.contains(value)
        }
    }
}
