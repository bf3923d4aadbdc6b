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
    public let damagedRuns: Counter
    public let damagedBytes: Counter
    public let setAsideRefused: Counter
    public let setAsideUndecodable: Counter
    /// Read by the `eventgrpc_spool_oldest_record_age_seconds` gauge.
    let oldestRecord: SpoolOldestRecord

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
        damagedRuns = registry.counter(
            "eventgrpc_spool_damaged_runs_total",
            help: "Damaged byte runs found inside spool segments (a copy is kept in SPOOL_DIR/damaged)."
        )
        damagedBytes = registry.counter(
            "eventgrpc_spool_damaged_bytes_total",
            help: "Bytes of spool segments skipped as damage (the valid records after them are replayed)."
        )
        setAsideRefused = registry.counter(
            "eventgrpc_spool_set_aside_messages_total",
            help: "Spooled messages set aside in SPOOL_DIR/set-aside instead of replayed.",
            labels: ["reason": "refused"]
        )
        setAsideUndecodable = registry.counter(
            "eventgrpc_spool_set_aside_messages_total",
            help: "Spooled messages set aside in SPOOL_DIR/set-aside instead of replayed.",
            labels: ["reason": "undecodable"]
        )
        let oldest = SpoolOldestRecord()
        oldestRecord = oldest
        registry.computedGauge(
            "eventgrpc_spool_oldest_record_age_seconds",
            help: "Age of the oldest spooled record not yet replayed to the broker (0 when the spool is empty)."
        ) {
            oldest.ageSeconds(nowMillis: Spool.nowMillis())
        }
    }
}
