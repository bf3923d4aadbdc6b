import Synchronization

/// Bytes of request bodies that all connections together may hold at once (received but not yet answered).
///
/// Every stream reserves its DATA as it arrives; the bytes come back when the handler is done with the request
/// (a reset or a disconnect does not free them while the handler holds the request), or when the stream closes
/// before its request was whole. A stream that would pass the budget is answered at once (the handler sees
/// `HTTP2Request.bufferBudgetExhausted`) and its body dropped.
/// With `maxRequestBodyBytes` per stream this bounds the server's request memory whatever the number of clients.
final class RequestBufferBudget: Sendable {
    let limit: Int
    private let used = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    var inUse: Int { used.load(ordering: .relaxed) }

    /// Takes `bytes` from the budget; false (and nothing taken) when they do not fit.
    func reserve(_ bytes: Int) -> Bool {
        var current = used.load(ordering: .relaxed)
        while current + bytes <= limit {
            let (exchanged, original) = used.compareExchange(
                expected: current,
                desired: current + bytes,
                ordering: .relaxed
            )
            if exchanged { return true }
            current = original
        }
        return false
    }

    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        used.wrappingSubtract(bytes, ordering: .relaxed)
    }
}
