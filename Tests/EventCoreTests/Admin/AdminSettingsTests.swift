import Testing

@testable import EventCore

@Suite struct AdminSettingsTests {
    @Test func defaultsToLoopbackAndTheGivenPort() throws {
        let admin = try AdminSettings(environment: Environment([:]), defaultPort: 8021)
        #expect(admin == AdminSettings(port: 8021))
        #expect(admin.host == "127.0.0.1" && admin.isEnabled)
    }

    @Test func portZeroDisablesTheEndpointEvenOnAWideHost() throws {
        let admin = try AdminSettings(
            environment: Environment(["ADMIN_PORT": "0", "ADMIN_HOST": "0.0.0.0"]),
            defaultPort: 8021
        )
        #expect(!admin.isEnabled)
    }

    @Test func aWideHostNeedsAToken() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try AdminSettings(environment: Environment(["ADMIN_HOST": "0.0.0.0"]), defaultPort: 8021)
        }
        #expect(error.variable == "ADMIN_HOST")
        let admin = try AdminSettings(
            environment: Environment(["ADMIN_HOST": "0.0.0.0", "ADMIN_TOKEN": "t", "ADMIN_PORT": "9100"]),
            defaultPort: 8021
        )
        #expect(admin.host == "0.0.0.0" && admin.token == "t" && admin.port == 9100)
    }

    @Test(arguments: ["-1", "65536", "eighty"])
    func badPortsNameTheVariable(value: String) {
        #expect(throws: ConfigurationError.self) {
            try AdminSettings(environment: Environment(["ADMIN_PORT": value]), defaultPort: 8021)
        }
    }
}
