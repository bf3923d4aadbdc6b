import Synchronization

/// Moves one value into a task or closure that takes it out exactly once, so that afterwards the box holds
/// nothing and whoever took the value is its only owner: a captured value would stay alive as long as the closure,
/// a taken one only as long as its taker keeps it (a request's bytes can then be freed while its call goes on).
public final class Handoff<Value: Sendable>: Sendable {
    private let value: Mutex<Value?>

    public init(_ value: consuming Value) {
        self.value = Mutex(Optional(value))
    }

    /// The value; a second `take()` is a bug of the caller's and stops the process.
    public func take() -> Value {
        let taken = value.withLock { $0.take() }
        guard let taken else { preconditionFailure("a handoff's value is taken once") }
        return taken
    }
}
