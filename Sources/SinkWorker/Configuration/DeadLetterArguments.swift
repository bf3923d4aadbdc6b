public import EventCore

/// `SinkWorker dlq list|peek|replay ...`: the dead-letter subcommands, parsed from the arguments after `dlq`.
public enum DeadLetterArguments: Sendable, Equatable {
    /// Each queue's DLQ depth, for one family or all of them.
    case list(family: String?)
    /// Shows up to `limit` messages of `Q.dlq` and leaves them there.
    case peek(queue: String, limit: Int)
    /// Moves up to `limit` messages (all present at the start when nil) from `Q.dlq` back to `Q`.
    case replay(queue: String, limit: Int?)

    public static let usage = """
        usage: SinkWorker dlq list [--family NAME]
               SinkWorker dlq peek --queue QUEUE [--limit N]     (default 10)
               SinkWorker dlq replay --queue QUEUE [--limit N]   (default: every message present at the start)
        """

    /// Messages `peek` shows when `--limit` is not given.
    public static let defaultPeekLimit = 10
    /// The largest `--limit` accepted.
    public static let maximumLimit = 10_000_000

    /// Parses the arguments after `dlq`; the error says what is wrong and shows the usage. Options are written
    /// `--queue Q` or `--queue=Q`.
    public static func parse(_ arguments: [String]) throws(ArgumentError) -> DeadLetterArguments {
        func fail(_ problem: String) -> ArgumentError { ArgumentError(message: "\(problem)\n\(usage)") }
        guard let command = arguments.first else { throw fail("dlq needs a command: list, peek or replay") }
        guard ["list", "peek", "replay"].contains(command) else { throw fail("unknown dlq command \"\(command)\"") }
        let options = try CommandLineOptions.parse(
            Array(arguments.dropFirst()),
            allowed: command == "list" ? ["--family"] : ["--queue", "--limit"],
            command: "dlq \(command)",
            usage: usage
        )
        if command == "list" { return .list(family: options.value("--family")) }
        guard let queue = options.value("--queue") else { throw fail("dlq \(command) needs --queue") }
        var limit: Int?
        if let text = options.value("--limit") {
            guard let value = Int(text), (1...maximumLimit).contains(value) else {
                throw fail("--limit \"\(text)\" is not a whole number between 1 and \(maximumLimit)")
            }
            limit = value
        }
        return command == "peek"
            ? .peek(queue: queue, limit: limit ?? defaultPeekLimit) : .replay(queue: queue, limit: limit)
    }
}
