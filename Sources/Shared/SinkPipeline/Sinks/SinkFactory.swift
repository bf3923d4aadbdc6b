public import AMQPClient
public import ClickHouseClient
public import EventCore
public import EventTopology

/// Everything one consumer needs to build its sink, all `Sendable`: the consumer calls `make()` on its own thread
/// (`AMQPConsumer`'s `makeProcessor`), so the ClickHouse connection and the sink are born there and never leave
/// it. Other threads see the queue's state through the shared `breaker` and `metrics`.
public struct SinkFactory: Sendable {
    public var queue: Topology.Queue
    public var table: QualifiedTable
    public var clickHouse: ClickHouseConfiguration
    /// Shared by the queue's consumers.
    public var breaker: CircuitBreaker
    public var metrics: QueueMetrics
    public var failureMetrics: FailureMetrics
    /// Shared by the queue's consumers: timed-out inserts per message, with the database healthy.
    public var strikes: TimeoutStrikes
    /// A direct sink's pause before it requeues a delivery ClickHouse could not take; a buffered sink's delay
    /// between retries of a failed batch.
    public var retryDelay: Duration
    public var logger: Logger

    public init(
        queue: Topology.Queue,
        table: QualifiedTable,
        clickHouse: ClickHouseConfiguration,
        breaker: CircuitBreaker,
        metrics: QueueMetrics,
        failureMetrics: FailureMetrics,
        strikes: TimeoutStrikes = TimeoutStrikes(),
        retryDelay: Duration,
        logger: Logger
    ) {
        self.queue = queue
        self.table = table
        self.clickHouse = clickHouse
        self.breaker = breaker
        self.metrics = metrics
        self.failureMetrics = failureMetrics
        self.strikes = strikes
        self.retryDelay = retryDelay
        self.logger = logger
    }

    /// A new ClickHouse connection, table writer and sink (direct or buffered, as the topology says), counted by
    /// the queue's metrics. Does not connect (the first insert does); throws `invalidConfiguration` for a
    /// ClickHouse configuration that cannot work.
    public func make() throws -> any DeliveryProcessor {
        let writer = TableWriter(
            connection: try ClickHouseConnection(configuration: clickHouse, logger: logger),
            table: table,
            breaker: breaker,
            metrics: metrics
        )
        return MeteredProcessor(sink(writer: writer), metrics: metrics)
    }

    private func sink(writer: TableWriter) -> any DeliveryProcessor {
        switch queue.sink {
        case .direct:
            return DirectSink(
                writer: writer,
                breaker: breaker,
                queue: queue,
                outageDelay: retryDelay,
                metrics: failureMetrics,
                logger: logger,
                strikes: strikes
            )
        case .buffered:
            let settings = BufferedSink.Settings(
                batchSize: queue.effectiveBatchSize,
                batchBytes: queue.effectiveBatchBytes,
                batchAge: queue.effectiveBatchAge,
                maxMessages: queue.prefetch,
                retryDelay: retryDelay
            )
            return BufferedSink(
                writer: writer,
                breaker: breaker,
                settings: settings,
                logger: logger,
                queue: queue,
                metrics: failureMetrics,
                strikes: strikes
            )
        }
    }
}
