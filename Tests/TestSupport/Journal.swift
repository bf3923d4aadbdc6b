import Synchronization

/// An append-only list of strings that concurrent test code writes to and the test reads back in order.
public final class Journal: Sendable {
    private let entries = Mutex<[String]>([])

    public init() {}

    public func append(_ entry: String) { entries.withLock { $0.append(entry) } }

    public var all: [String] { entries.withLock { $0 } }
}
