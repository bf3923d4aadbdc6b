/// Every problem found in a configuration (environment variables, the topology file, the token file), reported
/// together so that one run of `check-config` shows all there is to fix.
public struct ConfigurationErrors: Error, CustomStringConvertible, Sendable {
    /// One line per problem, each naming the variable or file entry and what is expected.
    public var problems: [String]

    public init(_ problems: [String]) {
        self.problems = problems
    }

    /// The problems, one per line, then what to do.
    public var description: String {
        let count = problems.count == 1 ? "1 configuration error" : "\(problems.count) configuration errors"
        return "\(count):\n" + problems.map { "  \($0)\n" }.joined()
            + "fix the values above (run with --help for every variable, its default and meaning)"
    }
}
