import Synchronization

/// Whether this instance takes traffic: the heartbeat endpoint and gRPC health both read it.
/// It turns false when an operator drains the instance (`PUT /heartbeat/?beat=false`) or on SIGTERM, and while
/// any required condition fails (a worker requires its broker connections and its databases).
public final class Readiness: Sendable {
    private let ready = Atomic<Bool>(true)
    private let conditions = Mutex<[(name: String, holds: @Sendable () -> Bool)]>([])

    public init() {}

    public var isReady: Bool { isSwitchedOn && unmetConditions.isEmpty }

    /// The operator's and the drain's switch alone, without the conditions.
    public var isSwitchedOn: Bool { ready.load(ordering: .acquiring) }

    public func set(_ value: Bool) {
        ready.store(value, ordering: .releasing)
    }

    /// Adds a condition the instance needs to be ready; `name` says what is wrong when it fails (for example
    /// `database logs unhealthy`). `holds` must not block: it is called on every heartbeat request.
    public func require(_ name: String, _ holds: @escaping @Sendable () -> Bool) {
        conditions.withLock { $0.append((name, holds)) }
    }

    /// The names of the conditions that fail now.
    public var unmetConditions: [String] {
        conditions.withLock { $0 }.filter { !$0.holds() }.map(\.name)
    }
}
