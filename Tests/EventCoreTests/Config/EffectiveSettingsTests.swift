import Foundation
import Testing

@testable import EventCore

/// The start-up line carries every setting in effect, and never a secret.
@Suite struct EffectiveSettingsTests {
    @Test func everySettingReadIsThereTypedAndSecretsAreRedacted() throws {
        let env = Environment.collecting([
            "RABBIT_PASSWORD": "hunter2", "ADMIN_TOKEN": "t0ken", "RABBIT_PORT": "5699", "LOG_FORMAT": "text",
        ])
        _ = try ServerAddresses(environment: env)
        _ = try AdminSettings(environment: env, defaultPort: 8021)
        _ = try env.logFormat()
        _ = try env.bool("FLAG", default: true)
        let settings = env.effectiveSettings
        #expect(settings["config.RABBIT_PASSWORD"] == "<redacted>")
        #expect(settings["config.ADMIN_TOKEN"] == "<redacted>")
        #expect(settings["config.CLICKHOUSE_PASSWORD"] == "empty", "an empty default says so")
        #expect(settings["config.RABBIT_PORT"] == 5699)
        #expect(settings["config.RABBIT_HOST"] == "127.0.0.1")
        #expect(settings["config.LOG_FORMAT"] == "text")
        #expect(settings["config.FLAG"] == true)
        #expect(Set(settings.keys) == Set(env.reads.map { "config.\($0.name)" }))
        let line = LogLine.render(level: .notice, label: "t", message: "starting", metadata: settings)
        #expect(!line.contains("hunter2") && !line.contains("t0ken"))
    }

    @Test func aSecretsDefaultIsRedactedToo() throws {
        let env = Environment.collecting([:])
        _ = try ServerAddresses(environment: env)
        #expect(env.effectiveSettings["config.RABBIT_PASSWORD"] == "<redacted>")
        #expect(env.effectiveSettings["config.RABBIT_USER"] == "guest")
    }

    @Test(arguments: [
        ("ADMIN_TOKEN", true), ("RABBIT_PASSWORD", true), ("AWS_SECRET_ACCESS_KEY", true), ("AUTH_TOKENS_FILE", false),
        ("PORT", false), ("SPOOL_DIR", false),
    ])
    func secretNames(name: String, secret: Bool) {
        #expect(Environment.isSecret(name) == secret)
    }

    @Test(arguments: ["json", "TEXT", " text "])
    func logFormatParses(value: String) throws {
        #expect(
            try Environment(["LOG_FORMAT": value]).logFormat().rawValue
                == value.trimmingCharacters(in: .whitespaces).lowercased()
        )
    }

    @Test func aBadLogFormatNamesTheVariable() {
        #expect(throws: ConfigurationError.self) { try Environment(["LOG_FORMAT": "xml"]).logFormat() }
    }
}
