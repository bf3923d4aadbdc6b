import Synchronization

/// Whether this instance takes traffic: the heartbeat endpoint and gRPC health both read it.
/// It turns false when an operator drains the instance (`PUT /heartbeat/?beat=false`) or on SIGTERM.
public final class Readiness: Sendable {
    private let ready = Atomic<Bool>(true)

    public init() {}

    public var isReady: Bool { ready.load(ordering: .acquiring) }

    public func set(_ value: Bool) {
        ready.store(value, ordering: .releasing)
    }
}
