/// `SinkWorker --family NAME [--queue Q ...]`: which family to run, and optionally only some of its queues.
public struct WorkerArguments: Sendable, Equatable {
    public var family: String
    public var queues: [String]

    public static let usage = "usage: SinkWorker --family NAME [--queue QUEUE ...]"

    /// Parses the arguments after the program name; the error text says what is wrong and shows the usage.
    public static func parse(_ arguments: [String]) throws(ArgumentError) -> WorkerArguments {
        var family: String?
        var queues: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument == "--family" || argument == "--queue" else {
                throw ArgumentError(message: "unknown argument \"\(argument)\"\n\(usage)")
            }
            guard index + 1 < arguments.count, !arguments[index + 1].hasPrefix("--") else {
                throw ArgumentError(message: "\(argument) needs a value\n\(usage)")
            }
            if argument == "--family" { family = arguments[index + 1] } else { queues.append(arguments[index + 1]) }
            index += 2
        }
        guard let family else { throw ArgumentError(message: "--family is required\n\(usage)") }
        return WorkerArguments(family: family, queues: queues)
    }
}

public struct ArgumentError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
