import EventCore

/// What `SinkWorker` was asked to do, parsed from its arguments. Anything but the forms below is refused with the
/// usage and exit code 2. Options are written `--family NAME` or `--family=NAME`.
enum WorkerCommand: Sendable, Equatable {
    /// `--family NAME [--queue Q ...]`: consume the family's queues until SIGTERM or SIGINT.
    case run(WorkerArguments)
    /// `check-config [--family NAME [--queue Q ...]]`: read the environment and the topology (and check the
    /// family when named), report every problem, exit.
    case checkConfig(WorkerArguments?)
    /// `dlq list|peek|replay ...`.
    case deadLetter(DeadLetterArguments)
    /// `--help` or `-h` anywhere outside `dlq`.
    case help
    /// `dlq --help`.
    case deadLetterHelp
    /// `--version`.
    case version

    static let usage = """
        usage: SinkWorker --family NAME [--queue QUEUE ...]   consume a family's queues until SIGTERM or SIGINT
               SinkWorker check-config [--family NAME [--queue QUEUE ...]]
                                                             check environment and topology; report every error
               SinkWorker dlq list|peek|replay ...            the dead-letter queues (SinkWorker dlq --help)
               SinkWorker --help | -h                         this text
               SinkWorker --version                           version and git revision
        """

    /// Parses the arguments after the program name.
    static func parse(_ arguments: [String]) throws(ArgumentError) -> WorkerCommand {
        func fail(_ problem: String) -> ArgumentError { ArgumentError(message: "SinkWorker: \(problem)\n\(usage)") }
        guard let first = arguments.first else { throw fail("--family is required") }
        if arguments.contains("--help") || arguments.contains("-h") {
            return first == "dlq" ? .deadLetterHelp : .help
        }
        switch first {
        case "--version":
            guard arguments.count == 1 else { throw fail("--version takes no other argument") }
            return .version
        case "check-config":
            return .checkConfig(try WorkerArguments.parseSelection(Array(arguments.dropFirst()), command: first))
        case "dlq":
            return .deadLetter(try DeadLetterArguments.parse(Array(arguments.dropFirst())))
        case _ where first.hasPrefix("-"):
            return .run(try WorkerArguments.parse(arguments))
        default:
            throw fail("unknown command \"\(first)\"")
        }
    }

    /// The whole `--help` text: the commands, every environment variable with its default and meaning, the exit
    /// codes.
    static func help(reads: [EnvironmentRead]) -> String {
        """
        \(BuildInfo.versionLine(program: "SinkWorker")): consumes one family's queues from RabbitMQ and writes \
        the events to ClickHouse, acknowledging each message only after its rows were inserted (or dead-lettered).

        \(usage)

        Environment (name, default, meaning); durations take ms, s, m or h:
        \(EnvironmentHelp.render(reads, meanings: WorkerEnvironment.meanings))

        Exit codes:
          0  stopped after a graceful drain; help, version, a valid configuration, a dlq command done
          1  failed while running (drain deadline passed, a service failed; dlq: the broker failed)
          2  bad arguments or configuration (every problem is listed); nothing was started
        """
    }
}
