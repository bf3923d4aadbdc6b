/// The time given to an operation ran out before it finished.
public struct DeadlineExceeded: Error, CustomStringConvertible, Sendable {
    /// The time the operation was given.
    public var timeout: Duration
    /// What the operation threw once it was cancelled (usually `CancellationError`), for logs.
    public var cause: (any Error)?

    public init(timeout: Duration, cause: (any Error)? = nil) {
        self.timeout = timeout
        self.cause = cause
    }

    public var description: String { "the deadline (\(timeout)) passed before the operation finished" }
}
