public import EventCore

/// Counters of messages retried and dead-lettered for one queue, by reason class (`decode`, `bad_row`,
/// `insert`: a bounded label set; only `insert` failures are retried). They live in the worker's `MetricsRegistry`, so they appear wherever the
/// registry is exposed.
public struct FailureMetrics: Sendable {
    private let retriedCounters: [SinkFailure: Counter]
    private let deadLetteredCounters: [SinkFailure: Counter]
    /// Refused buffered batches split to find the messages ClickHouse refuses.
    public let batchSplits: Counter
    /// Inserts that timed out while the database answered its health checks (each counts against its message or
    /// batch; an outage's timeouts are not counted).
    public let timeoutsWhileHealthy: Counter

    public init(registry: MetricsRegistry, queue: String) {
        var retried: [SinkFailure: Counter] = [:]
        var deadLettered: [SinkFailure: Counter] = [:]
        for failure in SinkFailure.allCases {
            let labels = ["queue": queue, "reason": failure.rawValue]
            if failure == .insert {
                retried[failure] = registry.counter(
                    "eventgrpc_worker_messages_retried_total",
                    help: "Messages sent to a delayed retry after ClickHouse refused their insert.",
                    labels: labels
                )
            }
            deadLettered[failure] = registry.counter(
                "eventgrpc_worker_messages_dead_lettered_total",
                help: "Messages sent to the queue's DLQ, by reason class.",
                labels: labels
            )
        }
        retriedCounters = retried
        deadLetteredCounters = deadLettered
        batchSplits = registry.counter(
            "eventgrpc_worker_batch_splits_total",
            help: "Refused batches split (bisection) to find the messages ClickHouse refuses.",
            labels: ["queue": queue]
        )
        timeoutsWhileHealthy = registry.counter(
            "eventgrpc_worker_insert_timeouts_while_healthy_total",
            help: "Inserts that timed out while the database answered its health checks.",
            labels: ["queue": queue]
        )
    }

    public func retried(_ failure: SinkFailure) {
        retriedCounters[failure]?.increment()
    }

    public func deadLettered(_ failure: SinkFailure) {
        deadLetteredCounters[failure]?.increment()
    }
}
