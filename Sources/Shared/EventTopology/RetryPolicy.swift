/// How often and how late a message whose insert failed is offered again before it goes to `Q.dlq`.
///
/// Retry `n` (1-based) waits `delaysMilliseconds[n-1]` in the queue `Q.retry.n` (a per-message TTL), which
/// dead-letters it back to `Q` through the default exchange; after the last retry the message is dead-lettered.
/// Delays never shrink, so a flapping database gets more room with every attempt.
public struct RetryPolicy: Sendable, Equatable, Codable {
    /// The wait before each retry, in milliseconds; its count is the number of retries (0 disables them).
    public var delaysMilliseconds: [Int64]

    public init(delaysMilliseconds: [Int64]) {
        self.delaysMilliseconds = delaysMilliseconds
    }

    /// Two retries, after 1 s and then 5 s.
    public static let `default` = RetryPolicy(delaysMilliseconds: [1000, 5000])

    /// The most retries a policy may ask for (each one is a queue of its own).
    public static let maximumRetries = 10
    /// The longest single delay: one hour.
    public static let maximumDelayMilliseconds: Int64 = 3_600_000

    public var maximumRetries: Int { delaysMilliseconds.count }

    /// The delay before retry `number` (1-based), or nil when the policy has no such retry.
    public func delay(beforeRetry number: Int) -> Duration? {
        guard number >= 1, number <= delaysMilliseconds.count else { return nil }
        return .milliseconds(delaysMilliseconds[number - 1])
    }

    /// Why this policy cannot be used, or nil when it can.
    public var problem: String? {
        guard delaysMilliseconds.count <= Self.maximumRetries else {
            return "has \(delaysMilliseconds.count) delays; at most \(Self.maximumRetries) retries are allowed"
        }
        for (index, delay) in delaysMilliseconds.enumerated() {
            guard (1...Self.maximumDelayMilliseconds).contains(delay) else {
                return "delaysMilliseconds[\(index)] = \(delay) is not between 1 and \(Self.maximumDelayMilliseconds)"
            }
            if index > 0, delay < delaysMilliseconds[index - 1] {
                return "delaysMilliseconds[\(index)] = \(delay) is shorter than the delay before it (delays must grow)"
            }
        }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case delaysMilliseconds = "delays_ms"
    }
}
