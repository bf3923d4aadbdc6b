import EventCore
import Synchronization

/// Bounds the `dispatch` calls that are past the door at once: each holds its decoded batch in memory, several
/// times the request's size, so the count of such calls, not only their request bytes, must be bounded for memory to
/// stay bounded under a flood. A call that finds every slot taken waits at most `timeout` and then gets
/// RESOURCE_EXHAUSTED with a `grpc-retry-pushback-ms` hint, before anything of it was decoded.
public final class AdmissionGate: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var inUse = 0
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }

    public let limit: Int
    public let timeout: Duration
    private let state = Mutex(State())

    public init(limit: Int, timeout: Duration) {
        precondition(limit > 0, "an admission gate needs at least one slot")
        self.limit = limit
        self.timeout = timeout
    }

    /// Calls past the gate now.
    public var inUse: Int { state.withLock { $0.inUse } }

    /// Takes a slot, waiting up to `timeout`; every successful `enter()` must be paired with one `leave()`.
    public func enter() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let waitingID = state.withLock { state -> UInt64? in
                if state.inUse < limit && state.waiters.isEmpty {
                    state.inUse += 1
                    return nil
                }
                state.nextID += 1
                state.waiters.append(Waiter(id: state.nextID, continuation: continuation))
                return state.nextID
            }
            guard let waitingID else {
                continuation.resume()
                return
            }
            Task {
                try? await Task.sleep(for: timeout)  // cancellation only shortens the wait
                self.expire(waitingID)
            }
        }
    }

    /// Gives the slot back, or hands it straight to the longest waiting call.
    public func leave() {
        let next = state.withLock { state -> Waiter? in
            guard !state.waiters.isEmpty else {
                state.inUse -= 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.continuation.resume()
    }

    private func expire(_ id: UInt64) {
        let expired = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        let milliseconds = timeout.wholeMilliseconds
        expired?.continuation.resume(
            throwing: IngestError(
                .overloaded,
                "the gateway is handling too many calls; retry after \(milliseconds) ms",
                retryAfter: timeout
            )
        )
    }
}
