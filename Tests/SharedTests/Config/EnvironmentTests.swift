import Testing

@testable import Shared

@Suite struct EnvironmentTests {
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
        let env = Environment(["PORT": "9000", "CLICKHOUSE_HOST": "a, b", "DRAIN_TIMEOUT": "2500ms", "RABBIT_VHOST": "v"])
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

    @Test(arguments: [("10s", Duration.seconds(10)), ("250ms", .milliseconds(250)), ("2m", .seconds(120)), ("3", .seconds(3))])
    func parsesDurations(text: String, expected: Duration) {
        #expect(Environment.parseDuration(text) == expected)
    }

    @Test func workerArguments() throws {
        #expect(try WorkerArguments.parse(["--family", "logs", "--queue", "logs.post"]) == WorkerArguments(family: "logs", queues: ["logs.post"]))
        #expect(throws: ArgumentError.self) { try WorkerArguments.parse([]) }
        #expect(throws: ArgumentError.self) { try WorkerArguments.parse(["--family"]) }
        #expect(throws: ArgumentError.self) { try WorkerArguments.parse(["--family", "a", "--bogus", "b"]) }
    }
}
