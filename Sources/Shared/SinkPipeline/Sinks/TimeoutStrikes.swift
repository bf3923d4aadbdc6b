public import AMQPClient
import Synchronization

/// Counts, per message, the inserts that timed out while the database answered its health checks, so that a
/// message whose insert hangs again and again is eventually treated as refused (retry path, then `Q.dlq`) instead
/// of being requeued forever as an outage (issue 11). Shared by the consumers of one queue: a requeued message may
/// come back to any of them.
///
/// A timeout counts only when a health check that started after the insert started found the database healthy
/// (the sinks check this); one during a real outage does not count, so an outage never dead-letters anything. The
/// table is bounded (`capacity` messages, the oldest forgotten first): a forgotten count starts again from zero.
public final class TimeoutStrikes: Sendable {
    /// Timeouts in a row, each with the database healthy, after which a message counts as refused: 3.
    public static let defaultLimit = 3
    /// Messages remembered at most.
    public static let capacity = 4096

    public let limit: Int
    private let state = Mutex(State())

    private struct State {
        var counts: [String: Int] = [:]
        var order: [String] = []
    }

    public init(limit: Int = defaultLimit) {
        precondition(limit >= 1, "a message needs at least one timeout to count as refused")
        self.limit = limit
    }

    /// The key of a delivery: its message id, else a hash of its body (a redelivery has the same one).
    public static func key(of delivery: Delivery) -> String {
        if let id = delivery.messageID, !id.isEmpty { return "id:" + id }
        var hasher = Hasher()
        delivery.body.withUnsafeBytes { hasher.combine(bytes: $0) }
        return "body:\(hasher.finalize())"
    }

    /// Records one more timeout of `key`; returns the count so far (at most `limit`).
    public func record(_ key: String) -> Int {
        state.withLock { state in
            if state.counts[key] == nil {
                if state.order.count >= Self.capacity {
                    state.counts[state.order.removeFirst()] = nil
                }
                state.order.append(key)
            }
            let count = min((state.counts[key] ?? 0) + 1, limit)
            state.counts[key] = count
            return count
        }
    }

    /// Forgets `key` (its insert succeeded, was refused, or it was routed).
    public func clear(_ key: String) {
        state.withLock { state in
            guard state.counts.removeValue(forKey: key) != nil else { return }
            state.order.removeAll { $0 == key }
        }
    }

    /// The count of `key`, 0 when unknown.
    public func count(_ key: String) -> Int {
        state.withLock { $0.counts[key] ?? 0 }
    }
}
