import Synchronization

/// Whether this instance takes traffic: the heartbeat endpoint and gRPC health both read it.
/// It turns false when an operator drains the instance (`PUT /heartbeat/?beat=false`) or on SIGTERM, and while
/// any required condition fails (a worker requires its broker connections and its databases).
public final class Readiness: Sendable {
    private struct State {
        var ready = true
        var observers: [Int: AsyncStream<Bool>.Continuation] = [:]
        var nextObserver = 0
    }

    private let state = Mutex(State())
    private let conditions = Mutex<[(name: String, holds: @Sendable () -> Bool)]>([])

    public init() {}

    public var isReady: Bool { isSwitchedOn && unmetConditions.isEmpty }

    /// The operator's and the drain's switch alone, without the conditions.
    public var isSwitchedOn: Bool { state.withLock { $0.ready } }

    public func set(_ value: Bool) {
        let observers = state.withLock { state -> [AsyncStream<Bool>.Continuation] in
            guard state.ready != value else { return [] }
            state.ready = value
            return Array(state.observers.values)
        }
        for observer in observers { observer.yield(value) }
    }

    /// The switch's current value, then every change of it, until the consumer stops iterating (conditions are not
    /// observed: the gateway has none). A slow consumer skips to the latest value.
    public func changes() -> AsyncStream<Bool> {
        let (stream, continuation) = AsyncStream.makeStream(of: Bool.self, bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state -> Int in
            defer { state.nextObserver += 1 }
            state.observers[state.nextObserver] = continuation
            continuation.yield(state.ready)
            return state.nextObserver
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.observers.removeValue(forKey: id) }
        }
        return stream
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
