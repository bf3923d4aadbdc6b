import EventCore
import Testing

@testable import IngestGateway

@Suite struct GatewayCommandTests {
    @Test(arguments: [
        ([String](), GatewayCommand.serve), (["--help"], .help), (["-h"], .help), (["--version"], .version),
        (["check-config"], .checkConfig), (["check-config", "--help"], .help), (["spool", "--help"], .help),
        (["spool", "inspect", "--dir", "/s"], .spool(.inspect(directory: "/s", json: false))),
        (["spool", "inspect", "--dir=/s", "--output", "json"], .spool(.inspect(directory: "/s", json: true))),
        (["spool", "replay", "--dir", "/s"], .spool(.replay(directory: "/s"))),
    ])
    func parsesEachCommand(arguments: [String], expected: GatewayCommand) throws {
        #expect(try GatewayCommand.parse(arguments) == expected)
    }

    @Test(arguments: [
        (["--hlep"], "unknown argument \"--hlep\""), (["serve"], "unknown argument \"serve\""),
        (["--port", "1"], "unknown argument \"--port\""), (["check-config", "x"], "unknown argument \"x\""),
        (["--version", "--version"], "do not go together"), (["check-config", "check-config"], "do not go together"),
        (["spool"], "needs a command"), (["spool", "drain", "--dir", "/s"], "unknown spool command"),
        (["spool", "replay"], "needs --dir"),
        (["spool", "inspect", "--dir", "/s", "--output", "xml"], "not text or json"),
        (["spool", "replay", "--dir", "/s", "--output", "json"], "does not take \"--output\""),
    ])
    func refusesEverythingElseWithTheUsage(arguments: [String], problem: String) {
        #expect {
            try GatewayCommand.parse(arguments)
        } throws: { error in
            let text = "\(error)"
            return text.contains(problem) && text.contains("usage: IngestGateway")
        }
    }

    @Test func helpListsEveryVariableTheParserReadsWithItsDefault() {
        let reads = GatewaySettings.environmentReads
        let help = GatewayCommand.help(reads: reads)
        #expect(reads.count > 20)
        for read in reads {
            #expect(help.contains("  \(read.name) "), "\(read.name) is listed")
        }
        #expect(help.contains("check-config") && help.contains("--version") && help.contains("Exit codes"))
        #expect(help.contains("spool inspect --dir DIR") && help.contains("spool replay --dir DIR"))
        #expect(help.contains("EVENT_BUFFERED_MAX_BYTES     16MiB"))
        #expect(help.contains("DRAIN_TIMEOUT                30s"))
    }

    /// The meanings table and the parser cannot drift apart: every variable read has a meaning, and every meaning
    /// belongs to a variable read.
    @Test func theMeaningsTableExplainsExactlyTheVariablesRead() {
        let read = Set(GatewaySettings.environmentReads.map(\.name))
        let explained = Set(GatewayEnvironment.meanings.keys)
        #expect(read.subtracting(explained).isEmpty, "read but not explained")
        #expect(explained.subtracting(read).isEmpty, "explained but not read")
    }
}
