public import EventCore

/// The spool's gauges and counters (promise P8), registered once per registry.
public struct SpoolMetrics: Sendable {
    public let bytes: Gauge
    public let segments: Gauge
    public let batchesAppended: Counter
    public let appendsRefused: Counter
    public let syncs: Counter
    public let tailsCut: Counter
    public let replayedMessages: Counter
    public let replayedBatches: Counter
    public let replayFailures: Counter
    public let segmentsQuarantined: Counter

    public init(registry: MetricsRegistry) {
        bytes = registry.gauge("eventgrpc_spool_bytes", help: "Bytes in the spool's segment files.")
        segments = registry.gauge("eventgrpc_spool_segments", help: "Segment files in the spool.")
        batchesAppended = registry.counter(
            "eventgrpc_spool_batches_appended_total",
            help: "Batches written and fsynced to the spool."
        )
        appendsRefused = registry.counter(
            "eventgrpc_spool_appends_refused_total",
            help: "Batches the spool could not take (full, too large or an I/O error)."
        )
        syncs = registry.counter("eventgrpc_spool_fsyncs_total", help: "Group-commit fsyncs of segment files.")
        tailsCut = registry.counter(
            "eventgrpc_spool_tails_cut_total",
            help: "Torn or corrupt segment tails cut off at start-up."
        )
        replayedMessages = registry.counter(
            "eventgrpc_spool_replayed_messages_total",
            help: "Spooled broker messages republished and confirmed."
        )
        replayedBatches = registry.counter(
            "eventgrpc_spool_replayed_batches_total",
            help: "Spooled batches republished and confirmed."
        )
        replayFailures = registry.counter(
            "eventgrpc_spool_replay_failures_total",
            help: "Replay rounds that failed and will be retried."
        )
        segmentsQuarantined = registry.counter(
            "eventgrpc_spool_segments_quarantined_total",
            help: "Segments set aside (renamed *.quarantined) because a record did not decode."
        )
    }
}
