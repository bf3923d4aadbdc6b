import Testing

@testable import EventCore

@Suite struct CommandLineOptionsTests {
    func parse(_ arguments: [String]) throws(ArgumentError) -> CommandLineOptions {
        try CommandLineOptions.parse(
            arguments,
            allowed: ["--family", "--queue"],
            repeatable: ["--queue"],
            command: "tool",
            usage: "usage: tool"
        )
    }

    @Test(arguments: [
        ["--family", "logs", "--queue", "a", "--queue", "b"], ["--family=logs", "--queue=a", "--queue", "b"],
        ["--queue=a", "--family", "logs", "--queue=b"],
    ])
    func takesBothSpellingsOfAnOption(arguments: [String]) throws {
        let options = try parse(arguments)
        #expect(options.value("--family") == "logs")
        #expect(options.values("--queue") == ["a", "b"])
    }

    @Test func aValueMayHoldAnEqualsSign() throws {
        #expect(try parse(["--family=a=b"]).value("--family") == "a=b")
    }

    @Test(arguments: [
        (["--bogus", "x"], "tool does not take \"--bogus\""), (["--bogus=x"], "tool does not take \"--bogus\""),
        (["logs"], "unexpected argument \"logs\""), (["--family"], "--family needs a value"),
        (["--family="], "--family needs a value"), (["--family", "--queue", "q"], "--family needs a value"),
        (["--family", "a", "--family", "b"], "--family is given twice"), (["-h"], "tool does not take \"-h\""),
    ])
    func refusesWhatItCannotUseWithTheUsage(arguments: [String], problem: String) {
        #expect {
            try parse(arguments)
        } throws: { error in
            "\(error)" == "\(problem)\nusage: tool"
        }
    }
}
