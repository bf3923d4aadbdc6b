import Synchronization

/// Observations counted into cumulative buckets, rendered as `_bucket{le=...}` lines (ending with `+Inf`),
/// `_sum` and `_count`, as Prometheus expects.
public final class Histogram: MetricSample {
    /// Upper bounds, ascending; an observation counts in every bucket whose bound it does not exceed.
    public let buckets: [Double]
    private let state: Mutex<(counts: [Int], sum: Double, count: Int)>

    /// Seconds from 1 ms to 10 s: suits inserts and other requests.
    public static let latencyBuckets: [Double] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    init(buckets: [Double]) {
        precondition(
            !buckets.isEmpty && buckets.allSatisfy(\.isFinite)
                && zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 },
            "histogram buckets must be finite and strictly ascending"
        )
        self.buckets = buckets
        state = Mutex((Array(repeating: 0, count: buckets.count), 0, 0))
    }

    public func observe(_ value: Double) {
        state.withLock { state in
            if let index = buckets.firstIndex(where: { value <= $0 }) { state.counts[index] += 1 }
            state.sum += value
            state.count += 1
        }
    }

    /// Records a duration in seconds.
    public func observe(_ duration: Duration) {
        observe(duration.secondsDouble)
    }

    /// Observations so far.
    public var count: Int { state.withLock { $0.count } }

    func render(name: String, labels: [String: String]) -> String {
        let (counts, sum, count) = state.withLock { $0 }
        var text = ""
        var cumulative = 0
        for (bound, bucketCount) in zip(buckets, counts) {
            cumulative += bucketCount
            let bucketLabels = MetricsRegistry.labelText(labels, last: ("le", Self.format(bound)))
            text += "\(name)_bucket\(bucketLabels) \(cumulative)\n"
        }
        text += "\(name)_bucket\(MetricsRegistry.labelText(labels, last: ("le", "+Inf"))) \(count)\n"
        text += "\(name)_sum\(MetricsRegistry.labelText(labels)) \(Self.format(sum))\n"
        text += "\(name)_count\(MetricsRegistry.labelText(labels)) \(count)\n"
        return text
    }

    /// Whole numbers without a fraction (`1`, not `1.0`), others as Swift prints them (`0.005`).
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
