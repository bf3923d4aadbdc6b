import TestSupport
import Testing

/// The real `IngestGateway` binary: exit codes, and where its text goes, for every command-line habit. None of
/// these may start the server (a run that does is killed after 20 s and fails).
@Suite(.enabled(if: BuiltBinary("IngestGateway").exists, "IngestGateway is not built"))
struct GatewayBinaryTests {
    let gateway = BuiltBinary("IngestGateway")

    @Test(arguments: [["--help"], ["-h"], ["check-config", "--help"]])
    func helpGoesToStandardOutputAndExitsZero(arguments: [String]) async throws {
        let outcome = try await gateway.run(arguments)
        #expect(outcome.status == 0 && !outcome.signalled)
        #expect(outcome.output.contains("usage: IngestGateway") && outcome.output.contains("SPOOL_MAX_BYTES"))
        #expect(outcome.errorOutput.isEmpty)
    }

    @Test func versionPrintsTheVersionAndRevision() async throws {
        let outcome = try await gateway.run(["--version"])
        #expect(outcome.status == 0)
        #expect(outcome.output.hasPrefix("IngestGateway ") && outcome.output.contains("(revision "))
    }

    @Test(arguments: [["--hlep"], ["serve"], ["--port=1"], ["check-config", "now"]])
    func unknownArgumentsAreRefusedWithTheUsageAndExitTwo(arguments: [String]) async throws {
        let outcome = try await gateway.run(arguments)
        #expect(outcome.status == 2 && !outcome.signalled)
        #expect(outcome.errorOutput.contains("usage: IngestGateway") && outcome.output.isEmpty)
    }

    @Test func checkConfigSumsUpAValidConfigurationAndExitsZero() async throws {
        let outcome = try await gateway.run(
            ["check-config"],
            environment: ["MAX_MESSAGE_BYTES": "8MiB", "LOG_LEVEL": "warn"]
        )
        #expect(outcome.status == 0)
        #expect(outcome.output.hasPrefix("IngestGateway: configuration valid") && outcome.errorOutput.isEmpty)
    }

    @Test func checkConfigListsEveryErrorAndExitsTwo() async throws {
        let outcome = try await gateway.run(
            ["check-config"],
            environment: ["PORT": "x", "RABBIT_PORT": "0", "LOG_LEVEL": "?"]
        )
        #expect(outcome.status == 2)
        #expect(outcome.errorOutput.contains("3 configuration errors"))
        #expect(["PORT=", "RABBIT_PORT=", "LOG_LEVEL="].allSatisfy { outcome.errorOutput.contains($0) })
    }

    /// Writing never kills the process: with stderr on a full disk or a closed pipe the exit code is the usual one.
    @Test(arguments: [BuiltBinary.Destination.deviceFull, .closedPipe])
    func aBrokenStandardErrorChangesNoExitCode(destination: BuiltBinary.Destination) async throws {
        let failing = try await gateway.run(["check-config"], environment: ["PORT": "x"], errorOutput: destination)
        #expect(failing.status == 2 && !failing.signalled)
        let typo = try await gateway.run(["--hlep"], errorOutput: destination)
        #expect(typo.status == 2 && !typo.signalled)
        let version = try await gateway.run(["--version"], errorOutput: destination)
        #expect(version.status == 0 && !version.signalled)
    }

    @Test(arguments: [BuiltBinary.Destination.deviceFull, .closedPipe])
    func aBrokenStandardOutputChangesNoExitCode(destination: BuiltBinary.Destination) async throws {
        #expect(try await gateway.run(["--help"], output: destination).status == 0)
        #expect(try await gateway.run(["--version"], output: destination).status == 0)
        #expect(try await gateway.run(["check-config"], output: destination).status == 0)
    }
}
