import EventCore
import Testing

@testable import IngestGateway

@Suite struct GatewayCommandTests {
    @Test(arguments: [
        ([String](), GatewayCommand.serve), (["--help"], .help), (["-h"], .help), (["--version"], .version),
        (["check-config"], .checkConfig), (["check-config", "--help"], .help),
    ])
    func parsesEachCommand(arguments: [String], expected: GatewayCommand) throws {
        #expect(try GatewayCommand.parse(arguments) == expected)
    }

    @Test(arguments: [
        (["--hlep"], "unknown argument \"--hlep\""), (["serve"], "unknown argument \"serve\""),
        (["--port", "1"], "unknown argument \"--port\""), (["check-config", "x"], "unknown argument \"x\""),
        (["--version", "--version"], "do not go together"), (["check-config", "check-config"], "do not go together"),
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
        #expect(help.contains("EVENT_BUFFERED_MAX_BYTES     64MiB"))
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
