import EventCore

/// `IngestGateway spool inspect|replay --dir DIR`: the spool tools, parsed from the arguments after `spool`.
enum SpoolArguments: Sendable, Equatable {
    /// Lists the spool's files and records (count, sizes, routing keys, spool and receive times, damage), read
    /// only; `json` for one JSON document instead of lines.
    case inspect(directory: String, json: Bool)
    /// Republishes the set-aside records of the spool in `directory` with confirms.
    case replay(directory: String)

    static let usage = """
        usage: IngestGateway spool inspect --dir DIR [--output text|json]
               IngestGateway spool replay --dir DIR
        """

    /// The spool directory the command works on.
    var directory: String {
        switch self {
        case .inspect(let directory, _), .replay(let directory): directory
        }
    }

    /// Parses the arguments after `spool`; the error says what is wrong and shows the usage.
    static func parse(_ arguments: [String]) throws(ArgumentError) -> SpoolArguments {
        func fail(_ problem: String) -> ArgumentError { ArgumentError(message: "IngestGateway: \(problem)\n\(usage)") }
        guard let command = arguments.first else { throw fail("spool needs a command: inspect or replay") }
        guard ["inspect", "replay"].contains(command) else { throw fail("unknown spool command \"\(command)\"") }
        let options = try CommandLineOptions.parse(
            Array(arguments.dropFirst()),
            allowed: command == "inspect" ? ["--dir", "--output"] : ["--dir"],
            command: "spool \(command)",
            usage: usage
        )
        guard let directory = options.value("--dir") else { throw fail("spool \(command) needs --dir") }
        guard command == "inspect" else { return .replay(directory: directory) }
        let output = options.value("--output") ?? "text"
        guard ["text", "json"].contains(output) else { throw fail("--output \"\(output)\" is not text or json") }
        return .inspect(directory: directory, json: output == "json")
    }
}
