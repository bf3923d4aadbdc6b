import Testing

@testable import EventCore

@Suite struct EnvironmentTests {
    @Test(arguments: [
        ("10s", Duration.seconds(10)), ("250ms", .milliseconds(250)), ("2m", .seconds(120)), ("3", .seconds(3)),
    ])
    func parsesDurations(text: String, expected: Duration) {
        #expect(Environment.parseDuration(text) == expected)
    }

    @Test(arguments: [
        ("64MiB", 64 << 20), ("4MiB", 4 << 20), ("512KiB", 512 << 10), ("1GiB", 1 << 30), ("2TiB", 2 << 40),
        ("4096", 4096), ("100B", 100), ("512 KiB", 512 << 10), ("0", 0),
    ])
    func parsesSizesWithBinaryUnitsOrPlainBytes(text: String, expected: Int) {
        #expect(Environment.parseBytes(text) == expected)
    }

    @Test(arguments: ["1.5MiB", "-1", "1XB", "MiB", "64mb", "64 M", "9999999999TiB", ""])
    func refusesSizesItCannotStateExactly(text: String) {
        #expect(Environment.parseBytes(text) == nil)
    }

    @Test func sizeVariablesNameTheUnitsInTheirError() throws {
        let env = Environment(["EVENT_BUFFERED_MAX_BYTES": "64MB"])
        #expect(try Environment(["S": "64MiB"]).bytes("S", default: 1, in: 0...(1 << 30)) == 64 << 20)
        #expect {
            _ = try env.bytes("EVENT_BUFFERED_MAX_BYTES", default: 1024, in: 1024...(16 << 30))
        } throws: { error in
            "\(error)".contains("EVENT_BUFFERED_MAX_BYTES=\"64MB\"") && "\(error)".contains("64MiB")
        }
    }

    @Test(arguments: [
        (64 << 20, "64MiB"), (1 << 30, "1GiB"), (1000, "1000"), (1536, "1536"), (4096, "4KiB"),
    ])
    func formatsSizesInTheLargestExactUnit(bytes: Int, text: String) {
        #expect(Environment.formatBytes(bytes) == text)
    }

    @Test(arguments: [
        (Duration.seconds(30), "30s"), (.milliseconds(250), "250ms"), (.seconds(120), "2m"), (.zero, "0s"),
        (.seconds(7200), "2h"), (.milliseconds(1500), "1500ms"),
    ])
    func formatsDurationsAsTheVariablesTakeThem(duration: Duration, text: String) {
        #expect(Environment.formatDuration(duration) == text)
    }

    @Test(arguments: ["warn", "WARN", "warning", " Warning "])
    func warnIsAnAliasOfWarning(value: String) throws {
        #expect(try Environment(["LOG_LEVEL": value]).logLevel() == .warning)
    }

    @Test func aThrowingEnvironmentStopsAtTheFirstBadValue() {
        let env = Environment(["RABBIT_PORT": "x", "LOG_LEVEL": "loud"])
        #expect(throws: ConfigurationError.self) { _ = try ServerAddresses(environment: env) }
        #expect(env.errors.isEmpty)
    }

    @Test func aCollectingEnvironmentRecordsEveryBadValueAndGoesOnWithDefaults() throws {
        let env = Environment.collecting([
            "RABBIT_PORT": "x", "CLICKHOUSE_HOST": ",", "CLICKHOUSE_PORT": "99999", "LOG_LEVEL": "loud",
            "ADMIN_HOST": "0.0.0.0",
        ])
        let servers = try ServerAddresses(environment: env)
        #expect(try env.logLevel() == .info)
        _ = try AdminSettings(environment: env, defaultPort: 8021)
        #expect(servers.rabbitPort == 5672 && servers.clickHouseHosts == ["127.0.0.1"])
        #expect(
            env.errors.map(\.variable) == [
                "RABBIT_PORT", "CLICKHOUSE_HOST", "CLICKHOUSE_PORT", "LOG_LEVEL", "ADMIN_HOST",
            ]
        )
        #expect {
            try env.checkErrors()
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("5 configuration errors:\n") && text.contains("  RABBIT_PORT=\"x\": expected")
                && text.contains("--help")
        }
    }

    @Test func aCleanCollectingEnvironmentPassesItsCheck() throws {
        let env = Environment.collecting(["RABBIT_PORT": "5673"])
        #expect(try ServerAddresses(environment: env).rabbitPort == 5673)
        try env.checkErrors()
    }

    @Test func recordsEachVariableReadOnceWithTheDefaultTheParserStates() throws {
        let env = Environment.collecting(["A": "set"])
        _ = env.string("A", default: "x")
        _ = env.optionalString("B")
        _ = try env.duration("C", default: .seconds(30))
        _ = try env.bytes("D", default: 64 << 20, in: 0...(1 << 30))
        _ = try env.int("E", default: 5, in: 0...9)
        _ = env.string("A", default: "again")
        _ = env.string("F", default: "")
        #expect(
            env.reads == [
                EnvironmentRead(name: "A", defaultValue: "x"), EnvironmentRead(name: "B", defaultValue: "unset"),
                EnvironmentRead(name: "C", defaultValue: "30s"), EnvironmentRead(name: "D", defaultValue: "64MiB"),
                EnvironmentRead(name: "E", defaultValue: "5"), EnvironmentRead(name: "F", defaultValue: "empty"),
            ]
        )
    }

    @Test func copiesShareOneRecord() throws {
        let env = Environment.collecting(["P": "x"])
        let copy = env
        _ = try copy.int("P", default: 1, in: 0...9)
        #expect(env.errors.count == 1 && env.reads.count == 1)
    }
}
