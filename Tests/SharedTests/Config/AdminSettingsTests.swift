import Testing

@testable import Shared

@Suite struct AdminSettingsTests {
    @Test func workerDefaultsToLoopbackPort8021() throws {
        let worker = try WorkerConfiguration(environment: Environment([:]))
        #expect(worker.admin == AdminSettings(port: 8021))
        #expect(worker.admin.isEnabled)
    }

    @Test func portZeroDisablesTheEndpointEvenOnAWideHost() throws {
        let admin = try AdminSettings(
            environment: Environment(["ADMIN_PORT": "0", "ADMIN_HOST": "0.0.0.0"]), defaultPort: 8021)
        #expect(!admin.isEnabled)
    }

    @Test func aWideHostNeedsAToken() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try WorkerConfiguration(environment: Environment(["ADMIN_HOST": "0.0.0.0"]))
        }
        #expect(error.variable == "ADMIN_HOST")
        let admin = try AdminSettings(
            environment: Environment(["ADMIN_HOST": "0.0.0.0", "ADMIN_TOKEN": "t", "ADMIN_PORT": "9100"]),
            defaultPort: 8021)
        #expect(admin.host == "0.0.0.0" && admin.token == "t" && admin.port == 9100)
    }

    @Test(arguments: ["-1", "65536", "eighty"])
    func badPortsNameTheVariable(value: String) {
        #expect(throws: ConfigurationError.self) {
            try AdminSettings(environment: Environment(["ADMIN_PORT": value]), defaultPort: 8021)
        }
    }
}
