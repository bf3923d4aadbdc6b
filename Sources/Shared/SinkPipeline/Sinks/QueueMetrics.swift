public import AMQPClient
public import EventCore

/// A worker's metrics for one queue (promise P8), registered once per queue and shared by its consumers.
public struct QueueMetrics: Sendable {
    /// Rows per insert: 1 to 100,000.
    public static let batchRowBuckets: [Double] = [1, 10, 50, 100, 500, 1000, 5000, 10_000, 100_000]

    public let consumed: Counter
    public let acked: Counter
    public let requeued: Counter
    public let rejected: Counter
    public let republished: Counter
    public let rowsWritten: Counter
    public let insertFailures: Counter
    public let batchRows: Histogram
    public let insertSeconds: Histogram
    public let breakerOpen: Gauge
    /// Unix time of the queue's last successful insert (0 until the first): `time() - this` is how long the queue
    /// has written nothing, the alert for a stuck consumer.
    public let lastInsert: Gauge

    public init(registry: MetricsRegistry, queue: String) {
        let labels = ["queue": queue]
        consumed = registry.counter(
            "eventgrpc_worker_messages_consumed_total",
            help: "Deliveries received from RabbitMQ.",
            labels: labels
        )
        acked = registry.counter(
            "eventgrpc_worker_messages_acked_total",
            help: "Deliveries acknowledged after their rows were written.",
            labels: labels
        )
        requeued = registry.counter(
            "eventgrpc_worker_messages_requeued_total",
            help: "Deliveries handed back to the queue unwritten (failed insert, breaker open, shutdown).",
            labels: labels
        )
        rejected = registry.counter(
            "eventgrpc_worker_messages_rejected_total",
            help: "Deliveries rejected into the dead-letter queue (undecodable message or bad row).",
            labels: labels
        )
        republished = registry.counter(
            "eventgrpc_worker_messages_republished_total",
            help: "Deliveries moved to a retry queue or the dead-letter queue (copy confirmed, then acked).",
            labels: labels
        )
        rowsWritten = registry.counter(
            "eventgrpc_worker_rows_written_total",
            help: "Rows inserted into ClickHouse.",
            labels: labels
        )
        insertFailures = registry.counter(
            "eventgrpc_worker_insert_failures_total",
            help: "Inserts that failed (rows kept or requeued).",
            labels: labels
        )
        batchRows = registry.histogram(
            "eventgrpc_worker_batch_rows",
            help: "Rows per successful insert.",
            labels: labels,
            buckets: Self.batchRowBuckets
        )
        insertSeconds = registry.histogram(
            "eventgrpc_worker_insert_duration_seconds",
            help: "Time one insert took, failed ones included.",
            labels: labels,
            buckets: Histogram.latencyBuckets
        )
        breakerOpen = registry.gauge(
            "eventgrpc_worker_breaker_open",
            help: "1 while the queue's circuit breaker is open (consumers paused).",
            labels: labels
        )
        lastInsert = registry.gauge(
            "eventgrpc_worker_last_insert_timestamp_seconds",
            help: "Unix time of the queue's last successful insert into ClickHouse; 0 until the first.",
            labels: labels
        )
    }

    /// Counts a settled delivery under its disposition.
    public func count(_ disposition: Disposition) {
        switch disposition {
        case .ack: acked.increment()
        case .requeue: requeued.increment()
        case .reject: rejected.increment()
        case .republish: republished.increment()
        }
    }
}
