import AMQPClient
import ClickHouseClient
import EventCore
import EventTopology
import SinkPipeline

/// Builds the consumers of a family's queues: per queue one circuit breaker and one set of metrics, per consumer
/// its own AMQP connection, and a `SinkFactory` that builds its ClickHouse connection and sink (direct or
/// buffered, as the topology says) on the consumer's thread.
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
            let strikes = TimeoutStrikes()
            let consumers = (0..<queue.consumers).map { slot in
                let consumerLogger = logger.with(["amqp.queue": "\(queue.name)", "consumer": .int(slot)])
                let sinks = SinkFactory(
                    queue: queue,
                    table: table,
                    clickHouse: clickHouse,
                    breaker: breaker,
                    metrics: metrics,
                    failureMetrics: failureMetrics,
                    strikes: strikes,
                    retryDelay: configuration.retryDelay,
                    logger: consumerLogger
                )
                return AMQPConsumer(
                    configuration: AMQPConfiguration(servers: configuration.servers),
                    queue: queue.name,
                    prefetch: UInt16(queue.prefetch),
                    declarations: declarations,
                    logger: consumerLogger,
                    makeProcessor: sinks.make
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
}
