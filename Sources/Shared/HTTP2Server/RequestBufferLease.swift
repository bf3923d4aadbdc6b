import Synchronization

/// One dispatched request's bytes in the server's `RequestBufferBudget`: given back once, by the handler as soon
/// as it no longer holds the request's bytes (`release()`), or by the server when the handler returns.
public final class RequestBufferLease: Sendable {
    private let budget: RequestBufferBudget
    private let bytes: Int
    private let released = Atomic<Bool>(false)

    init(budget: RequestBufferBudget, bytes: Int) {
        self.budget = budget
        self.bytes = bytes
    }

    /// Gives the bytes back (the first call only). The caller must hold no copy of the request's body any more:
    /// the budget bounds memory only while it counts every body still alive.
    public func release() {
        guard !released.exchange(true, ordering: .relaxed) else { return }
        budget.release(bytes)
    }
}
