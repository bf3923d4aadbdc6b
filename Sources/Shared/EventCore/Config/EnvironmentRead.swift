/// One environment variable a parser read, with the default it stated: what `--help` lists.
public struct EnvironmentRead: Sendable, Equatable {
    /// The variable, for example `PORT`.
    public var name: String
    /// The default as the variable would be written (`8017`, `30s`, `64MiB`), `unset` or `empty`.
    public var defaultValue: String

    public init(name: String, defaultValue: String) {
        self.name = name
        self.defaultValue = defaultValue
    }
}
