import TestSupport
import Testing

/// The real `SinkWorker` binary: exit codes and where its text goes. None of these may start consuming (a run
/// that does is killed after 20 s and fails).
@Suite(.enabled(if: BuiltBinary("SinkWorker").exists, "SinkWorker is not built"))
struct WorkerBinaryTests {
    let worker = BuiltBinary("SinkWorker")

    @Test(arguments: [["--help"], ["-h"], ["--family", "logs", "--help"]])
    func helpGoesToStandardOutputAndExitsZero(arguments: [String]) async throws {
        let outcome = try await worker.run(arguments)
        #expect(outcome.status == 0 && !outcome.signalled)
        #expect(outcome.output.contains("usage: SinkWorker") && outcome.output.contains("CLICKHOUSE_INSERT_TIMEOUT"))
    }

    @Test func dlqHelpShowsTheDeadLetterCommands() async throws {
        let outcome = try await worker.run(["dlq", "--help"])
        #expect(outcome.status == 0 && outcome.output.contains("SinkWorker dlq replay"))
    }

    @Test func versionPrintsTheVersionAndRevision() async throws {
        let outcome = try await worker.run(["--version"])
        #expect(outcome.status == 0 && outcome.output.hasPrefix("SinkWorker ") && outcome.output.contains("revision"))
    }

    @Test(arguments: [[String](), ["logs"], ["--famliy", "logs"], ["dlq", "purge"], ["--family", "nope"]])
    func badArgumentsAreRefusedAndExitTwo(arguments: [String]) async throws {
        let outcome = try await worker.run(arguments)
        #expect(outcome.status == 2 && !outcome.signalled)
        #expect(!outcome.errorOutput.isEmpty && outcome.output.isEmpty)
    }

    @Test(arguments: [
        ["dlq", "list", "--output", "yaml"], ["dlq", "peek", "--queue", "logs.trace", "--reason-class", "nope"],
        ["dlq", "replay", "--queue", "logs.trace", "--rate", "0"],
        ["dlq", "replay", "--queue", "logs.trace", "--full"],
        ["dlq", "replay", "--queue", "logs.trace", "--dry-run=1"],
    ])
    func badDeadLetterFlagsExitTwoBeforeTouchingTheBroker(arguments: [String]) async throws {
        // A closed port: exit 2 shows the arguments were refused before any connection was tried.
        let outcome = try await worker.run(arguments, environment: ["RABBIT_PORT": "1"])
        #expect(outcome.status == 2 && !outcome.signalled)
        #expect(outcome.errorOutput.contains("usage: SinkWorker dlq") && outcome.output.isEmpty)
    }

    @Test func checkConfigSumsUpOrListsEveryError() async throws {
        let valid = try await worker.run(["check-config", "--family=logs"])
        #expect(valid.status == 0 && valid.output.hasPrefix("SinkWorker: configuration valid: family logs"))
        let invalid = try await worker.run(["check-config"], environment: ["CLICKHOUSE_HOST": ",", "RABBIT_PORT": "0"])
        #expect(invalid.status == 2 && invalid.errorOutput.contains("2 configuration errors"))
    }

    @Test(arguments: [BuiltBinary.Destination.deviceFull, .closedPipe])
    func aBrokenStandardErrorOrOutputChangesNoExitCode(destination: BuiltBinary.Destination) async throws {
        let failing = try await worker.run(
            ["check-config"],
            environment: ["RABBIT_PORT": "x"],
            errorOutput: destination
        )
        #expect(failing.status == 2 && !failing.signalled)
        #expect(try await worker.run(["--version"], errorOutput: destination).status == 0)
        #expect(try await worker.run(["--help"], output: destination).status == 0)
    }
}
