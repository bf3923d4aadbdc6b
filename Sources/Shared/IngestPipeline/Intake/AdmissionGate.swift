import EventCore
import Synchronization

/// Bounds the `dispatch` calls that are past the door at once: each holds its decoded batch in memory, several
/// times the request's size, so the count of such calls, not only their request bytes, must be bounded for memory to
/// stay bounded under a flood. A call that finds every slot taken waits at most `timeout` (`withDeadline`) and then
/// gets `IngestError.overloaded` with `timeout` as its retry hint, before anything of it was decoded.
public final class AdmissionGate: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var inUse = 0
        /// Calls waiting for a slot, oldest first; `leave()` hands its slot to the first.
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
    /// A cancelled call stops waiting and throws `CancellationError`.
    public func enter() async throws {
        let admitted = state.withLock { state -> Bool in
            guard state.inUse < limit && state.waiters.isEmpty else { return false }
            state.inUse += 1
            return true
        }
        if admitted { return }
        do {
            try await withDeadline(timeout) { try await self.waitForSlot() }
        } catch let error as DeadlineExceeded {
            let milliseconds = timeout.wholeMilliseconds
            throw IngestError(
                .overloaded,
                "the gateway is handling too many calls; retry after \(milliseconds) ms",
                retryAfter: timeout,
                cause: error
            )
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

    /// Waits in line until `leave()` hands this call a slot, or the task is cancelled.
    private func waitForSlot() async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.inUse < limit && state.waiters.isEmpty {
                        state.inUse += 1
                        return .success(())
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }
}
