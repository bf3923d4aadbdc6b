import Testing

@testable import ClickHouseClient

@Suite struct ClickHouseConfigurationTests {
    @Test func defaults() {
        let configuration = ClickHouseConfiguration(hosts: [.init(host: "ch", port: 8123)])
        #expect(configuration.user == "default")
        #expect(configuration.password == "")
        #expect(configuration.database == "default")
        #expect(configuration.insertTimeout == .seconds(10))
        #expect(configuration.connectTimeout == .seconds(2))
    }

    @Test(arguments: [
        ClickHouseConfiguration(hosts: []),
        ClickHouseConfiguration(hosts: [.init(host: "ch", port: 0)]),
        ClickHouseConfiguration(hosts: [.init(host: "ch", port: 70000)]),
        ClickHouseConfiguration(hosts: [.init(host: "ch/x?y", port: 8123)]),
        ClickHouseConfiguration(hosts: [.init(host: "", port: 8123)]),
        ClickHouseConfiguration(hosts: [.init(host: "ch", port: 8123)], user: ""),
        ClickHouseConfiguration(hosts: [.init(host: "ch", port: 8123)], password: "x\r\nX-Evil: 1"),
        ClickHouseConfiguration(hosts: [.init(host: "ch", port: 8123)], database: "a;b"),
    ])
    func refusesConfigurationsThatCannotWork(configuration: ClickHouseConfiguration) {
        #expect {
            try ClickHouseConnection(configuration: configuration)
        } throws: { error in
            (error as? ClickHouseError)?.code == .invalidConfiguration
        }
    }

    @Test func acceptsAWorkableConfigurationWithoutConnecting() throws {
        let configuration = ClickHouseConfiguration(
            hosts: [.init(host: "replica-1.example", port: 8123), .init(host: "10.0.0.2", port: 8123)],
            password: "s3cret"
        )
        let connection = try ClickHouseConnection(configuration: configuration)
        #expect(connection.preferredHostIndex == 0)
    }
}
