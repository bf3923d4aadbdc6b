import EventCore

/// What `IngestGateway` was asked to do, parsed from its arguments. Anything but the forms below is refused with
/// the usage and exit code 2: the gateway never starts on a typo.
enum GatewayCommand: Sendable, Equatable {
    /// No arguments: run the gateway until SIGTERM or SIGINT.
    case serve
    /// `check-config`: read the environment, the topology and the token file, report every problem, exit.
    case checkConfig
    /// `--help` or `-h`, alone or after `check-config`.
    case help
    /// `--version`.
    case version
    /// `spool inspect|replay --dir DIR`: the spool tools (`SpoolArguments`).
    case spool(SpoolArguments)

    static let usage = """
        usage: IngestGateway                  run the gateway until SIGTERM or SIGINT
               IngestGateway check-config     check the environment, topology and token file; report every error
               IngestGateway spool inspect --dir DIR [--output text|json]
                                              list a spool's segments, set-aside and damaged files, records, damage
               IngestGateway spool replay --dir DIR
                                              republish the records the spool set aside (broker settings from the
                                              environment, as the gateway reads them), with confirms
               IngestGateway --help | -h      this text
               IngestGateway --version        version and git revision
        """

    /// Parses the arguments after the program name.
    static func parse(_ arguments: [String]) throws(ArgumentError) -> GatewayCommand {
        switch arguments {
        case []: return .serve
        case ["--help"], ["-h"], ["check-config", "--help"], ["check-config", "-h"]: return .help
        case ["--version"]: return .version
        case ["check-config"]: return .checkConfig
        case ["spool", "--help"], ["spool", "-h"]: return .help
        case let spool where spool.first == "spool": return .spool(try SpoolArguments.parse(Array(spool.dropFirst())))
        default:
            let unknown = arguments.first { !["check-config", "--help", "-h", "--version"].contains($0) }
            let problem = unknown.map { "unknown argument \"\($0)\"" } ?? "arguments \(arguments) do not go together"
            throw ArgumentError(message: "IngestGateway: \(problem)\n\(usage)")
        }
    }

    /// The whole `--help` text: what the gateway is, the commands, every environment variable with its default and
    /// meaning, and the exit codes.
    static func help(reads: [EnvironmentRead]) -> String {
        """
        \(BuildInfo.versionLine(program: "IngestGateway")): receives event batches over gRPC \
        (event.EventService/dispatch) and publishes them to RabbitMQ with confirms, spooling to disk while the \
        broker cannot confirm.

        \(usage)

        Environment (name, default, meaning); durations take ms, s, m or h, sizes KiB, MiB or GiB:
        \(EnvironmentHelp.render(reads, meanings: GatewayEnvironment.meanings))

        Exit codes:
          0  stopped after a graceful drain; help, version, or a valid configuration; spool inspect read the
             spool; spool replay republished every set-aside record
          1  failed while running (drain deadline passed, a service failed, the spool cannot be opened); spool
             replay left records set aside (refused again, undecodable, or the broker unreachable)
          2  bad arguments or configuration (every problem is listed); nothing was started

        Spool tools: `spool inspect` reads SPOOL_DIR without changing it (safe while the gateway runs) and lists
        the segments waiting for replay, the records set aside in DIR/set-aside (refused by the broker on replay,
        or undecodable), copies of damaged segments in DIR/damaged, and the damage found. `spool replay` publishes
        DIR/set-aside/refused-*.wal (and *.quarantined segments of older builds) to RABBIT_HOST with confirms,
        deletes each file once every message in it is confirmed and keeps what the broker refuses again; it may
        run beside the gateway.
        """
    }
}
