import Testing

@testable import SinkWorker

@Suite struct DeadLetterArgumentsTests {
    @Test(arguments: [
        (["list"], DeadLetterArguments.list(family: nil)),
        (["list", "--family", "logs"], .list(family: "logs")),
        (["peek", "--queue", "q"], .peek(queue: "q", limit: DeadLetterArguments.defaultPeekLimit)),
        (["peek", "--limit", "3", "--queue", "q"], .peek(queue: "q", limit: 3)),
        (["replay", "--queue", "q"], .replay(queue: "q", limit: nil)),
        (["replay", "--queue", "q", "--limit", "500"], .replay(queue: "q", limit: 500)),
    ])
    func validCommands(arguments: [String], expected: DeadLetterArguments) throws {
        #expect(try DeadLetterArguments.parse(arguments) == expected)
    }

    @Test(arguments: [
        ([], "needs a command"),
        (["purge"], "unknown dlq command"),
        (["peek"], "needs --queue"),
        (["replay", "--queue"], "needs a value"),
        (["replay", "--queue", "--limit", "2"], "needs a value"),
        (["replay", "--queue", "q", "--limit", "0"], "not a whole number"),
        (["replay", "--queue", "q", "--limit", "ten"], "not a whole number"),
        (["replay", "--queue", "a", "--queue", "b"], "given twice"),
        (["list", "--queue", "q"], "does not take"),
        (["peek", "--queue", "q", "--family", "f"], "does not take"),
    ])
    func badCommandsSayWhatIsWrongAndShowTheUsage(arguments: [String], problem: String) {
        #expect {
            try DeadLetterArguments.parse(arguments)
        } throws: { error in
            let text = "\(error)"
            return text.contains(problem) && text.contains("usage: SinkWorker dlq")
        }
    }
}
