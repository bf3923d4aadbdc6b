import EventCore
import Testing

@testable import SinkWorker

@Suite struct WorkerCommandTests {
    @Test(arguments: [
        (["--family", "logs"], WorkerCommand.run(WorkerArguments(family: "logs", queues: []))),
        (["--family=logs", "--queue=logs.post"], .run(WorkerArguments(family: "logs", queues: ["logs.post"]))),
        (["check-config"], .checkConfig(nil)),
        (["check-config", "--family=logs"], .checkConfig(WorkerArguments(family: "logs", queues: []))),
        (["dlq", "list"], .deadLetter(.list(family: nil))),
        (["dlq", "peek", "--queue=q", "--limit=3"], .deadLetter(.peek(queue: "q", limit: 3))),
        (["--help"], .help), (["-h"], .help), (["--family", "logs", "--help"], .help), (["check-config", "-h"], .help),
        (["dlq", "--help"], .deadLetterHelp), (["dlq", "peek", "-h"], .deadLetterHelp), (["--version"], .version),
    ])
    func parsesEachCommand(arguments: [String], expected: WorkerCommand) throws {
        #expect(try WorkerCommand.parse(arguments) == expected)
    }

    @Test(arguments: [
        ([String](), "--family is required"), (["logs"], "unknown command \"logs\""),
        (["--famliy", "logs"], "does not take \"--famliy\""), (["--version", "x"], "--version takes no other"),
        (["check-config", "--queue", "q"], "--queue needs --family"), (["dlq"], "dlq needs a command"),
        (["check-config", "--bogus=1"], "check-config does not take \"--bogus\""),
    ])
    func refusesEverythingElseWithAUsage(arguments: [String], problem: String) {
        #expect {
            try WorkerCommand.parse(arguments)
        } throws: { error in
            let text = "\(error)"
            return text.contains(problem) && text.contains("usage: SinkWorker")
        }
    }

    @Test func helpListsEveryVariableTheParserReadsWithItsDefault() {
        let reads = WorkerSettings.environmentReads
        let help = WorkerCommand.help(reads: reads)
        for read in reads {
            #expect(help.contains("  \(read.name) "), "\(read.name) is listed")
        }
        let adminLine = help.split(separator: "\n").first { $0.hasPrefix("  ADMIN_PORT ") }
        #expect(adminLine?.split(separator: " ").dropFirst().first == "8021")
        #expect(help.contains("dlq") && help.contains("check-config") && help.contains("Exit codes"))
    }

    /// The meanings table and the parser cannot drift apart.
    @Test func theMeaningsTableExplainsExactlyTheVariablesRead() {
        let read = Set(WorkerSettings.environmentReads.map(\.name))
        let explained = Set(WorkerEnvironment.meanings.keys)
        #expect(read.subtracting(explained).isEmpty, "read but not explained")
        #expect(explained.subtracting(read).isEmpty, "explained but not read")
    }

    @Test func settingsCollectEveryProblemIncludingAnUnknownFamily() {
        #expect {
            _ = try WorkerSettings.load(
                ["CLICKHOUSE_PORT": "x", "RETRY_DELAY": "soon", "ADMIN_HOST": "0.0.0.0"],
                selection: WorkerArguments(family: "nope", queues: [])
            )
        } throws: { error in
            guard let errors = error as? ConfigurationErrors else { return false }
            return errors.problems.count == 4 && errors.problems[3].contains("--family nope")
        }
    }

    @Test func settingsSelectTheNamedFamilyAndQueues() throws {
        let settings = try WorkerSettings.load([:], selection: WorkerArguments(family: "logs", queues: ["logs.post"]))
        #expect(try WorkerSettings.load([:], selection: nil).family == nil)
        #expect(settings.summary.contains("family logs (queues logs.post)"))
    }
}
