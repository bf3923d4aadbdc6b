/// Command-line arguments that cannot be used; the message says what is wrong and shows the usage. The binaries
/// exit with `ExitStatus.usage` (2) on it.
public struct ArgumentError: Error, CustomStringConvertible, Sendable {
    public var message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}
