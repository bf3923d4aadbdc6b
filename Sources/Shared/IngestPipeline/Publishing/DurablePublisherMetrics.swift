public import EventCore

/// The publish-or-spool counters (promise P8); the spool's own gauges are `SpoolMetrics`.
public struct DurablePublisherMetrics: Sendable {
    let batchesSpooled: Counter
    let batchesNacked: Counter
    let batchesUnroutable: Counter
    let confirmTimeouts: Counter
    let spoolRefusals: Counter
    let stalls: Counter

    public init(registry: MetricsRegistry) {
        batchesSpooled = registry.counter(
            "eventgrpc_gateway_batches_spooled_total",
            help: "Batches answered SUCCESS from the spool because the broker could not confirm them."
        )
        batchesNacked = registry.counter(
            "eventgrpc_gateway_batches_nacked_total",
            help: "Batches answered UNAVAILABLE after a broker nack."
        )
        batchesUnroutable = registry.counter(
            "eventgrpc_gateway_batches_unroutable_total",
            help: "Batches answered UNAVAILABLE because a message matched no binding (basic.return)."
        )
        confirmTimeouts = registry.counter(
            "eventgrpc_gateway_confirm_timeouts_total",
            help: "Batches spooled because no confirm arrived within PUBLISH_CONFIRM_TIMEOUT though the broker "
                + "was not stalled."
        )
        spoolRefusals = registry.counter(
            "eventgrpc_gateway_spool_refusals_total",
            help: "Batches answered UNAVAILABLE because the broker was down and the spool full or failing."
        )
        stalls = registry.counter(
            "eventgrpc_publisher_stalls_total",
            help: "Times the broker was declared stalled (blocked, or no confirm for PUBLISH_STALL_TIMEOUT) and "
                + "batches went to the spool."
        )
    }
}
