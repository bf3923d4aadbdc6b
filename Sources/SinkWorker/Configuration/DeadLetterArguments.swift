public import EventCore
import SinkPipeline

/// `SinkWorker dlq list|peek|replay ...`: the dead-letter subcommands, parsed from the arguments after `dlq`.
public enum DeadLetterArguments: Sendable, Equatable {
    /// Each queue's DLQ depth, for one family or all of them.
    case list(family: String?, options: DeadLetterOptions = .init())
    /// Shows up to `limit` messages of `Q.dlq` and leaves them there.
    case peek(queue: String, limit: Int, options: DeadLetterOptions = .init())
    /// Moves up to `limit` messages (all present at the start when nil) from `Q.dlq` back to `Q`.
    case replay(queue: String, limit: Int?, options: DeadLetterOptions = .init())

    public static let usage = """
        usage: SinkWorker dlq list [--family NAME] [--output text|json]
               SinkWorker dlq peek --queue QUEUE [--limit N] [--reason-class CLASS] [--full] [--output text|json]
                   shows up to N messages (default 10) and leaves them in the DLQ (also: dlq inspect)
               SinkWorker dlq replay --queue QUEUE [--limit N] [--reason-class CLASS] [--rate N] [--dry-run]
                   [--full] [--output text|json]
                   moves messages back to QUEUE (default: every message present at the start), many in flight
                   per confirm window; --dry-run lists what would move and changes nothing (--full: whole bodies)
               CLASS: decode, bad_row or insert; --rate: messages per second at most
        """

    /// Messages `peek` shows when `--limit` is not given.
    public static let defaultPeekLimit = 10
    /// The largest `--limit` accepted.
    public static let maximumLimit = 10_000_000
    /// The largest `--rate` accepted (messages per second).
    public static let maximumRate = 1_000_000

    /// Parses the arguments after `dlq`; the error says what is wrong and shows the usage. Options are written
    /// `--queue Q` or `--queue=Q`.
    public static func parse(_ arguments: [String]) throws(ArgumentError) -> DeadLetterArguments {
        func fail(_ problem: String) -> ArgumentError { ArgumentError(message: "\(problem)\n\(usage)") }
        guard var command = arguments.first else { throw fail("dlq needs a command: list, peek or replay") }
        if command == "inspect" { command = "peek" }
        let allowed: [String: (options: Set<String>, flags: Set<String>)] = [
            "list": (["--family", "--output"], []),
            "peek": (["--queue", "--limit", "--output", "--reason-class"], ["--full"]),
            "replay": (["--queue", "--limit", "--output", "--reason-class", "--rate"], ["--full", "--dry-run"]),
        ]
        guard let accepted = allowed[command] else { throw fail("unknown dlq command \"\(command)\"") }
        let options = try CommandLineOptions.parse(
            Array(arguments.dropFirst()),
            allowed: accepted.options,
            flags: accepted.flags,
            command: "dlq \(command)",
            usage: usage
        )
        var settings = DeadLetterOptions(full: options.has("--full"), dryRun: options.has("--dry-run"))
        if let text = options.value("--output") {
            guard let output = DeadLetterOptions.Output(rawValue: text) else {
                throw fail("--output \"\(text)\" is neither text nor json")
            }
            settings.output = output
        }
        if let text = options.value("--reason-class") {
            guard SinkFailure(rawValue: text) != nil else {
                let classes = SinkFailure.allCases.map(\.rawValue).joined(separator: ", ")
                throw fail("--reason-class \"\(text)\" is not one of \(classes)")
            }
            settings.reasonClass = text
        }
        if let text = options.value("--rate") {
            guard let rate = Int(text), (1...maximumRate).contains(rate) else {
                throw fail(
                    "--rate \"\(text)\" is not a whole number of messages per second between 1 and \(maximumRate)"
                )
            }
            settings.rate = rate
        }
        if settings.full && command == "replay" && !settings.dryRun {
            throw fail("--full shows bodies: with replay it needs --dry-run")
        }
        if command == "list" { return .list(family: options.value("--family"), options: settings) }
        guard let queue = options.value("--queue") else { throw fail("dlq \(command) needs --queue") }
        var limit: Int?
        if let text = options.value("--limit") {
            guard let value = Int(text), (1...maximumLimit).contains(value) else {
                throw fail("--limit \"\(text)\" is not a whole number between 1 and \(maximumLimit)")
            }
            limit = value
        }
        return command == "peek"
            ? .peek(queue: queue, limit: limit ?? defaultPeekLimit, options: settings)
            : .replay(queue: queue, limit: limit, options: settings)
    }
}
