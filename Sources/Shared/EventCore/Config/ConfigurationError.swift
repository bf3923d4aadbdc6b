/// A configuration value that cannot be used; start-up stops with it.
///
/// The description names the variable, the bad value and what is expected, for example
/// `EVENT_WORKER_POOL_SIZE="abc": expected an integer between 1 and 1024`.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The environment variable (or file) that holds the bad value.
    public var variable: String
    /// The value as given; secrets are never put here.
    public var value: String
    /// What would have been accepted.
    public var expected: String

    public init(variable: String, value: String, expected: String) {
        self.variable = variable
        self.value = value
        self.expected = expected
    }

    /// `VARIABLE="value": expected ...`, the line `ConfigurationErrors` lists.
    public var problem: String {
        "\(variable)=\"\(value)\": expected \(expected)"
    }

    public var description: String {
        "configuration error: \(problem)"
    }
}
