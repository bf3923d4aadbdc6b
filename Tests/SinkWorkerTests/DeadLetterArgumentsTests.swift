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
        (["list", "--output", "json"], .list(family: nil, options: DeadLetterOptions(output: .json))),
        (["inspect", "--queue", "q"], .peek(queue: "q", limit: DeadLetterArguments.defaultPeekLimit)),
        (
            ["peek", "--queue", "q", "--full", "--output=json", "--reason-class", "bad_row"],
            .peek(
                queue: "q",
                limit: DeadLetterArguments.defaultPeekLimit,
                options: DeadLetterOptions(output: .json, full: true, reasonClass: "bad_row")
            )
        ),
        (
            ["replay", "--queue", "q", "--rate", "200", "--reason-class", "insert"],
            .replay(queue: "q", limit: nil, options: DeadLetterOptions(reasonClass: "insert", rate: 200))
        ),
        (
            ["replay", "--dry-run", "--queue", "q", "--full", "--output", "text"],
            .replay(queue: "q", limit: nil, options: DeadLetterOptions(full: true, dryRun: true))
        ),
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
        (["list", "--output", "xml"], "neither text nor json"),
        (["peek", "--queue", "q", "--reason-class", "timeout"], "is not one of decode, bad_row, insert"),
        (["replay", "--queue", "q", "--rate", "0"], "messages per second"),
        (["replay", "--queue", "q", "--rate", "fast"], "messages per second"),
        (["replay", "--queue", "q", "--full"], "needs --dry-run"),
        (["replay", "--queue", "q", "--dry-run=yes"], "takes no value"),
        (["replay", "--queue", "q", "--dry-run", "--dry-run"], "given twice"),
        (["peek", "--queue", "q", "--dry-run"], "does not take"),
        (["peek", "--queue", "q", "--rate", "5"], "does not take"),
        (["list", "--full"], "does not take"),
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
