import Synchronization

/// Whether this instance takes traffic: the heartbeat endpoint and gRPC health both read it.
/// It turns false when an operator drains the instance (`PUT /heartbeat/?beat=false`) or on SIGTERM.
public final class Readiness: Sendable {
    private struct State {
        var ready = true
        var observers: [Int: AsyncStream<Bool>.Continuation] = [:]
        var nextObserver = 0
    }

    private let state = Mutex(State())

    public init() {}

    public var isReady: Bool { state.withLock { $0.ready } }

    public func set(_ value: Bool) {
        let observers = state.withLock { state -> [AsyncStream<Bool>.Continuation] in
            guard state.ready != value else { return [] }
            state.ready = value
            return Array(state.observers.values)
        }
        for observer in observers { observer.yield(value) }
    }

    /// The current value, then every change, until the consumer stops iterating. A slow consumer skips to the
    /// latest value.
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
}
