/// Options that each take a value, written `--name value` or `--name=value`, as both binaries accept them, and
/// flags that take none (`--full`).
///
/// Anything else is refused: an unknown option, a bare word, an option without a value (or whose value would be
/// the next option), a flag with a value, an option or flag given twice unless it may repeat.
public struct CommandLineOptions: Sendable, Equatable {
    /// The options in the order given.
    public private(set) var pairs: [Pair] = []
    /// The flags given.
    public private(set) var flags: Set<String> = []

    /// One option and its value.
    public struct Pair: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    /// Parses `arguments`. `command` names what takes them in error messages (`dlq peek does not take "--x"`);
    /// `usage` ends every error message.
    public static func parse(
        _ arguments: [String],
        allowed: Set<String>,
        repeatable: Set<String> = [],
        flags allowedFlags: Set<String> = [],
        command: String,
        usage: String
    ) throws(ArgumentError) -> CommandLineOptions {
        func fail(_ problem: String) -> ArgumentError { ArgumentError(message: "\(problem)\n\(usage)") }
        var options = CommandLineOptions()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            var name = argument
            var value: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            }
            guard name.hasPrefix("-") else { throw fail("unexpected argument \"\(argument)\"") }
            if allowedFlags.contains(name) {
                guard value == nil else { throw fail("\(name) takes no value") }
                guard options.flags.insert(name).inserted else { throw fail("\(name) is given twice") }
                index += 1
                continue
            }
            guard allowed.contains(name) else { throw fail("\(command) does not take \"\(name)\"") }
            if value == nil {
                if index + 1 < arguments.count, !arguments[index + 1].hasPrefix("--") {
                    value = arguments[index + 1]
                    index += 1
                }
            }
            guard let value, !value.isEmpty else { throw fail("\(name) needs a value") }
            guard repeatable.contains(name) || options.value(name) == nil else {
                throw fail("\(name) is given twice")
            }
            options.pairs.append(Pair(name: name, value: value))
            index += 1
        }
        return options
    }

    /// The value of `name`, the first when it was given several times.
    public func value(_ name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// True when the flag `name` was given.
    public func has(_ name: String) -> Bool {
        flags.contains(name)
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }
}
