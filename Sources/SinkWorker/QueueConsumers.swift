import AMQPClient
import ClickHouseClient
import EventCore
import EventTopology
import SinkPipeline

/// Builds the consumers of a family's queues: per queue one circuit breaker and one set of metrics, per consumer
/// its own AMQP connection, ClickHouse connection and sink (direct or buffered, as the topology says).
struct QueueConsumers {
    let family: Topology.Family
    let declarations: [AMQPDeclaration]
    let configuration: WorkerConfiguration
    let clickHouse: ClickHouseConfiguration
    let health: DatabaseHealth
    let registry: MetricsRegistry
    let logger: Logger

    /// The consumers, grouped by queue name.
    func make() throws -> [(queue: String, consumers: [AMQPConsumer])] {
        try family.queues.map { queue in
            let table = QualifiedTable(
                database: try ClickHouseIdentifier(family.database),
                table: try ClickHouseIdentifier(queue.table)
            )
            let metrics = QueueMetrics(registry: registry, queue: queue.name)
            let failureMetrics = FailureMetrics(registry: registry, queue: queue.name)
            let breaker = CircuitBreaker(
                queue: queue.name,
                health: health,
                logger: logger,
                gauge: metrics.breakerOpen
            )
            let consumers = try (0..<queue.consumers).map { slot in
                let consumerLogger = logger.with(["amqp.queue": queue.name, "consumer": String(slot)])
                let writer = TableWriter(
                    connection: try ClickHouseConnection(configuration: clickHouse, logger: consumerLogger),
                    table: table,
                    breaker: breaker,
                    metrics: metrics
                )
                let sink = sink(for: queue, writer: writer, failureMetrics: failureMetrics, logger: consumerLogger)
                return AMQPConsumer(
                    configuration: AMQPConfiguration(servers: configuration.servers),
                    queue: queue.name,
                    prefetch: UInt16(queue.prefetch),
                    declarations: declarations,
                    logger: consumerLogger,
                    processor: MeteredProcessor(sink, metrics: metrics)
                )
            }
            registry.gauge(
                "eventgrpc_worker_consumers_connected",
                help: "Consumers subscribed to the queue right now.",
                labels: ["queue": queue.name]
            ) { consumers.count(where: \.isConnected) }
            return (queue.name, consumers)
        }
    }

    private func sink(
        for queue: Topology.Queue,
        writer: TableWriter,
        failureMetrics: FailureMetrics,
        logger: Logger
    ) -> any DeliveryProcessor {
        switch queue.sink {
        case .direct:
            return DirectSink(
                writer: writer,
                queue: queue,
                outageDelay: configuration.retryDelay,
                metrics: failureMetrics,
                logger: logger
            )
        case .buffered:
            let settings = BufferedSink.Settings(
                batchSize: queue.effectiveBatchSize,
                batchAge: queue.effectiveBatchAge,
                maxMessages: queue.prefetch,
                retryDelay: configuration.retryDelay
            )
            return BufferedSink(
                writer: writer,
                breaker: writer.breaker,
                settings: settings,
                logger: logger,
                queue: queue,
                deadLettered: failureMetrics.deadLettered
            )
        }
    }
}
