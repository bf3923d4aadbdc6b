import EventCore
import Foundation
import HTTP2Server
import IngestPipeline
import Testing

@testable import IngestGateway

@Suite struct GatewaySettingsTests {
    @Test func aValidEnvironmentLoadsAndSumsUpOnOneLine() throws {
        let settings = try GatewaySettings.load(["PORT": "9000", "SPOOL_MAX_BYTES": "2GiB"])
        #expect(settings.configuration.server.port == 9000)
        #expect(settings.durability.spool.maxBytes == 2 << 30)
        #expect(settings.durability.spool.segmentBytes == 16 << 20)
        #expect(settings.auth == nil)
        #expect(!settings.summary.contains("\n") && settings.summary.contains("configuration valid"))
    }

    @Test func everyProblemIsReportedAtOnce() {
        let environment = [
            "PORT": "abc", "LOG_LEVEL": "loud", "SPOOL_SEGMENT_BYTES": "1XB", "SHUTDOWN_GRACE": "40s",
            "ADMIN_HOST": "0.0.0.0", "TOPOLOGY_FILE": "/nonexistent/topology.json",
            "AUTH_TOKENS_FILE": "/nonexistent/tokens", "PUBLISH_CONFIRM_TIMEOUT": "1ms",
        ]
        #expect {
            _ = try GatewaySettings.load(environment)
        } throws: { error in
            guard let errors = error as? ConfigurationErrors else { return false }
            let text = errors.problems.joined(separator: "\n")
            return errors.problems.count == 8
                && ["PORT", "LOG_LEVEL", "SPOOL_SEGMENT_BYTES", "SHUTDOWN_GRACE", "ADMIN_HOST", "AUTH_TOKENS_FILE"]
                    .allSatisfy { text.contains("\($0)=") }
                && text.contains("topology /nonexistent/topology.json") && text.contains("PUBLISH_CONFIRM_TIMEOUT=")
        }
    }

    @Test func aTokenFileIsReadWhenValid() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
        try "# comment\nsecret-one\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try GatewaySettings.load(["AUTH_TOKENS_FILE": path]).auth != nil)
    }
}
