public import EventCore

/// `SinkWorker --family NAME [--queue Q ...]`: which family to run, and optionally only some of its queues.
/// Options are written `--family NAME` or `--family=NAME`.
public struct WorkerArguments: Sendable, Equatable {
    public var family: String
    public var queues: [String]

    public init(family: String, queues: [String]) {
        self.family = family
        self.queues = queues
    }

    public static let usage = "usage: SinkWorker --family NAME [--queue QUEUE ...]   (SinkWorker --help for more)"

    /// Parses the arguments after the program name; the error text says what is wrong and shows the usage.
    public static func parse(_ arguments: [String]) throws(ArgumentError) -> WorkerArguments {
        guard let selection = try parseSelection(arguments, command: "SinkWorker") else {
            throw ArgumentError(message: "--family is required\n\(usage)")
        }
        return selection
    }

    /// `--family` and `--queue` options, nil when none is given (`check-config` checks a family only when one is
    /// named); `--queue` without `--family` is refused.
    static func parseSelection(_ arguments: [String], command: String) throws(ArgumentError) -> WorkerArguments? {
        let options = try CommandLineOptions.parse(
            arguments,
            allowed: ["--family", "--queue"],
            repeatable: ["--queue"],
            command: command,
            usage: usage
        )
        guard let family = options.value("--family") else {
            guard options.pairs.isEmpty else { throw ArgumentError(message: "--queue needs --family\n\(usage)") }
            return nil
        }
        return WorkerArguments(family: family, queues: options.values("--queue"))
    }
}
