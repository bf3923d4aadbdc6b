import EventCore
import Synchronization

/// Bounds the `dispatch` calls that are past the door at once: each holds its decoded batch in memory, several
/// times the request's size, so the count of such calls, not only their request bytes, must be bounded for memory to
/// stay bounded under a flood. A call that finds every slot taken waits at most `timeout` (`withDeadline`) and then
/// gets `IngestError.overloaded` with `timeout` as its retry hint, before anything of it was decoded.
///
/// The line is bounded too: when `maxWaiting` calls already wait, a call is refused at once with the same error.
/// Every waiting call holds its request body, so under a flood an unbounded line, not the slots, is what memory
/// follows (5,000 open streams held 33 MiB of bodies in the line); a full line also tells a flooding client
/// at once instead of after `timeout`.
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
    /// Calls that may wait for a slot at once.
    public let maxWaiting: Int
    public let timeout: Duration
    private let state = Mutex(State())

    /// A gate of `limit` slots, with a line of at most `maxWaiting` calls (default: as many as there are slots).
    public init(limit: Int, maxWaiting: Int? = nil, timeout: Duration) {
        precondition(limit > 0, "an admission gate needs at least one slot")
        precondition((maxWaiting ?? limit) >= 0, "an admission gate's line cannot be negative")
        self.limit = limit
        self.maxWaiting = maxWaiting ?? limit
        self.timeout = timeout
    }

    /// Calls past the gate now.
    public var inUse: Int { state.withLock { $0.inUse } }

    /// Calls waiting for a slot now.
    public var waiting: Int { state.withLock { $0.waiters.count } }

    /// The error a call gets now, before it was even read, when every slot is taken and the line is full; nil when
    /// it could enter or wait. Lets the edge refuse a call on its HEADERS, before its body is buffered.
    public func refusal() -> IngestError? {
        let full = state.withLock { $0.inUse >= limit && $0.waiters.count >= maxWaiting }
        return full ? overloaded(cause: nil) : nil
    }

    /// Takes a slot, waiting up to `timeout`; every successful `enter()` must be paired with one `leave()`.
    /// Throws `IngestError.overloaded` when the line is full or the wait times out; a cancelled call stops waiting
    /// and throws `CancellationError`.
    public func enter() async throws {
        let entry = state.withLock { state -> Entry in
            if state.inUse < limit && state.waiters.isEmpty {
                state.inUse += 1
                return .admitted
            }
            return state.waiters.count < maxWaiting ? .waits : .refused
        }
        switch entry {
        case .admitted:
            return
        case .waits:
            do {
                try await withDeadline(timeout) { try await self.waitForSlot() }
            } catch let error as DeadlineExceeded {
                throw overloaded(cause: error)
            }
        case .refused:
            throw overloaded(cause: nil)
        }
    }

    /// What a call finds at the gate.
    private enum Entry {
        case admitted
        case waits
        case refused
    }

    private func overloaded(cause: (any Error)?) -> IngestError {
        IngestError(
            .overloaded,
            "the gateway is handling too many calls; retry after \(timeout.wholeMilliseconds) ms",
            retryAfter: timeout,
            cause: cause
        )
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
                    if state.waiters.count >= maxWaiting { return .failure(overloaded(cause: nil)) }
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
