public import EventCore

/// What the publishing workers measure (promise P8): publish latency and confirmed messages.
public struct PublishingMetrics: Sendable {
    public let messagesConfirmed: Counter
    public let publishSeconds: Histogram
    /// Calls per publish round: how much natural batching happens.
    public let roundCalls: Histogram
    /// Rounds by how they started (`RoundStart`).
    private let roundStarts: [RoundStart: Counter]

    public init(registry: MetricsRegistry) {
        messagesConfirmed = registry.counter(
            "eventgrpc_gateway_messages_confirmed_total",
            help: "Broker messages published and confirmed by RabbitMQ."
        )
        publishSeconds = registry.histogram(
            "eventgrpc_gateway_publish_duration_seconds",
            help: "Time from a worker taking a batch to its confirm (or its fsync in the spool).",
            buckets: Histogram.latencyBuckets
        )
        roundCalls = registry.histogram(
            "eventgrpc_gateway_round_calls",
            help: "Calls published together in one round (one broker message per routing key per round).",
            buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
        )
        var starts: [RoundStart: Counter] = [:]
        for start in RoundStart.allCases {
            starts[start] = registry.counter(
                "eventgrpc_gateway_rounds_total",
                help: "Publish rounds by how they started: at_once (the publisher was idle), after_interval "
                    + "(held for PUBLISH_ROUND_INTERVAL), filled (held, then full first), cancelled.",
                labels: ["start": start.rawValue]
            )
        }
        roundStarts = starts
    }

    /// The counter of rounds that started as `start`.
    func rounds(_ start: RoundStart) -> Counter {
        // Every case was registered in `init`.
        roundStarts[start]!
    }
}
