public import AMQPClient
import ClickHouseClient
public import EventCore
public import EventTopology

/// One consumer's batch: rows of several deliveries written in one insert, every delivery acknowledged only after
/// its rows are in (promise P2), seed scenario 2's buffered-sink gap closed.
///
/// A delivery whose events all fail row validation (or that does not decode) goes to `Q.dlq` at once. One in which
/// only some do has its good rows batched; once they are written its refused events are published to `Q.dlq` as a
/// message of their own and the delivery is acked only after that copy is confirmed (`Disposition.republish`).
///
/// Each consumer has its own `BufferedSink`, so deliveries are settled on the channel that received them and a
/// slow insert holds back only its own consumer. The batch is flushed when it has `batchSize` rows, when it holds
/// `maxMessages` deliveries (the consumer's prefetch: the broker sends no more until some are settled), or
/// `batchAge` after its first row. It never holds more than `batchBytes` (message bodies plus their rows): a
/// delivery that would take it over is preceded by a flush, and one that still does not fit (the batch could not
/// be written, or the message alone is larger than the cap) is inserted alone, as a direct sink does.
///
/// When an insert fails:
/// - ClickHouse unreachable (an outage): the rows are kept and retried every `retryDelay` while the queue's
///   breaker is closed; nothing is dropped. While the breaker is open the consumer pauses and `drain()` requeues
///   the batch, so the messages wait in RabbitMQ.
/// - ClickHouse refused it, or it timed out: the sink waits for a health check that started after the insert
///   started. If the database is unhealthy it is an outage (above). If it is healthy, a refusal is the batch's
///   fault: the batch is split by bisection (`PoisonSearch`) until the refused messages are found; those take the
///   retry path and then `Q.dlq` like a direct sink's (`FailureRouter`), the rest is written and acked. A timeout
///   with the database healthy is retried whole, and after `timeoutsBeforeRefusal` of them in a row it is bisected
///   as a refusal, a sub-insert that times out counting as refused.
///
/// Not `Sendable`: its consumer builds it on the consumer's thread and uses it only there, with the writer's
/// connection. Other threads see the queue's state through the `CircuitBreaker` and the metrics.
public final class BufferedSink: DeliveryProcessor {
    public struct Settings: Sendable {
        public var batchSize: Int
        /// The most bytes a batch holds: message bodies plus their rows.
        public var batchBytes: Int
        public var batchAge: Duration
        public var maxMessages: Int
        public var retryDelay: Duration
        /// Timed-out inserts of a batch, with the database healthy, after which it is searched as refused.
        public var timeoutsBeforeRefusal: Int

        public init(
            batchSize: Int,
            batchBytes: Int = Topology.Queue.defaultBatchBytes,
            batchAge: Duration,
            maxMessages: Int,
            retryDelay: Duration,
            timeoutsBeforeRefusal: Int = TimeoutStrikes.defaultLimit
        ) {
            precondition(batchSize >= 1 && maxMessages >= 1, "a batch needs room for a row and a message")
            precondition(batchBytes >= 1 && timeoutsBeforeRefusal >= 1, "a batch needs a byte cap and a timeout limit")
            self.batchSize = batchSize
            self.batchBytes = batchBytes
            self.batchAge = batchAge
            self.maxMessages = maxMessages
            self.retryDelay = retryDelay
            self.timeoutsBeforeRefusal = timeoutsBeforeRefusal
        }
    }

    /// One delivery of the batch.
    struct Held {
        /// Kept for the retry path, should ClickHouse refuse its rows.
        var delivery: Delivery
        /// Its rows in `rows`.
        var span: Range<Int>
        var rowCount: Int
        /// How it is settled once its rows are written: `.ack`, or the dead-letter copy of its refused events.
        var written: Disposition

        var bytes: Int { delivery.body.count + span.count }
    }

    /// Why the batch waits, besides its thresholds and the breaker.
    enum Wait {
        case none
        /// An outage: the next attempt is due then.
        case retry(at: ContinuousClock.Instant)
        /// Refused or timed out: a health check numbered above `afterCheck` tells an outage from a bad batch.
        case verdict(afterCheck: UInt64, error: SinkError)
    }

    let writer: any RowWriter
    let breaker: CircuitBreaker
    let queue: Topology.Queue
    let router: FailureRouter
    let settings: Settings
    let logger: Logger
    let now: @Sendable () -> ContinuousClock.Instant
    /// Writes a delivery alone, when it does not fit the batch.
    private let direct: DirectSink
    var held: [Held] = []
    var rows: [UInt8] = []
    var rowCount = 0
    var heldBytes = 0
    var firstRowAt: ContinuousClock.Instant?
    var wait = Wait.none
    /// Timed-out inserts of this batch in a row while the database was healthy.
    var timeouts = 0
    /// Settled outside `poll()` (a flush that made room for a delivery); handed over by the next `poll()`.
    var ready: [Settlement] = []

    public init(
        writer: any RowWriter,
        breaker: CircuitBreaker,
        settings: Settings,
        logger: Logger,
        queue: Topology.Queue,
        metrics: FailureMetrics,
        strikes: TimeoutStrikes = TimeoutStrikes(),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.writer = writer
        self.breaker = breaker
        self.queue = queue
        self.router = FailureRouter(queue: queue, metrics: metrics, logger: logger)
        self.settings = settings
        self.logger = logger
        self.now = now
        self.direct = DirectSink(
            writer: writer,
            breaker: breaker,
            queue: queue,
            outageDelay: settings.retryDelay,
            metrics: metrics,
            logger: logger,
            strikes: strikes
        )
    }

    /// Deliveries held in the current batch.
    public var heldMessages: Int { held.count }
    /// Rows in the current batch.
    public var heldRows: Int { rowCount }
    /// Bytes the current batch holds (bodies and rows).
    public var heldByteCount: Int { heldBytes }

    public func process(_ delivery: Delivery) -> Disposition? {
        let decoded: DeliveryRows
        do {
            decoded = try DeliveryRows(delivery)
        } catch {
            // Decoding and row validation fail only with `decode` or `badRow`, both dead-lettered at once.
            return router.route(delivery, error.failure ?? .badRow, reason: error.deadLetterReason)
        }
        let bytes = delivery.body.count.addingReportingOverflow(decoded.bytes.count)
        let size = bytes.overflow ? Int.max : bytes.partialValue
        if !held.isEmpty, size > settings.batchBytes - heldBytes, wait.allowsAttempt(at: now()), !breaker.isOpen {
            ready.append(contentsOf: flush())
        }
        guard size <= settings.batchBytes - heldBytes else {
            logger.info(
                "message does not fit the batch; inserted alone",
                [
                    "amqp.message_id": "\(decoded.messageID)", "message.bytes": .int(size),
                    "batch.bytes": .int(heldBytes),
                ]
            )
            return direct.write(decoded, of: delivery)
        }
        if held.isEmpty { firstRowAt = now() }
        let start = rows.count
        rows.append(contentsOf: decoded.bytes)
        held.append(
            Held(
                delivery: delivery,
                span: start..<rows.count,
                rowCount: decoded.count,
                written: settlement(of: delivery, decoded)
            )
        )
        rowCount += decoded.count
        heldBytes += size
        return nil
    }

    public func poll() -> [Settlement] {
        let settled = takeReady()
        guard let firstRowAt else { return settled }
        let time = now()
        if case .verdict(let afterCheck, let error) = wait {
            let status = breaker.health.status
            guard status.check > afterCheck else { return settled }
            // A check after the failure found the database down: an outage, even if a later one finds it up.
            guard status.isHealthy else { return settled + judge(error, healthy: false) }
            guard !breaker.isOpen else { return settled }
            return settled + judge(error, healthy: true)
        }
        let due =
            rowCount >= settings.batchSize || held.count >= settings.maxMessages || heldBytes >= settings.batchBytes
            || time - firstRowAt >= settings.batchAge
        guard due, wait.allowsAttempt(at: time), !breaker.isOpen else { return settled }
        return settled + flush()
    }

    public var isPaused: Bool { breaker.isOpen }

    /// Writes the batch if the breaker allows and acks it, else requeues it; then drops the idle connection.
    public func drain() -> [Settlement] {
        defer { writer.disconnect() }
        var settled = takeReady()
        guard !held.isEmpty else { return settled }
        // A batch waiting for a verdict is handed back whole: its messages come back to be tried again.
        if !wait.awaitsVerdict, !breaker.isOpen {
            settled += flush()
            if held.isEmpty { return settled }
        }
        logger.notice("batch handed back to the queue unwritten", ["batch.messages": .int(held.count)])
        settled += held.map { Settlement(deliveryTag: $0.delivery.deliveryTag, disposition: .requeue) }
        reset()
        return settled
    }

    public func channelLost() {
        ready.removeAll()
        guard !held.isEmpty else { return }
        logger.warning("batch dropped with its channel; the broker redelivers it", ["batch.messages": .int(held.count)])
        reset()
    }

    /// How a batched delivery is settled once its rows are written: `.ack`, or, when row validation refused some of
    /// its events, the dead-letter copy of those.
    private func settlement(of delivery: Delivery, _ rows: DeliveryRows) -> Disposition {
        guard let rejected = rows.rejected else { return .ack }
        logger.error(
            "events refused by row validation; they are dead-lettered once the message's other rows are written",
            [
                "amqp.message_id": "\(rows.messageID)", "reason.class": "bad_row", "reason.text": "\(rejected.summary)",
                "rows.batched": .int(rows.count), "rows.refused": .int(rejected.count),
            ]
        )
        return .republish(FailureRoute(rejected: rejected, of: delivery, queue: queue).message)
    }

    private func takeReady() -> [Settlement] {
        defer { ready.removeAll() }
        return ready
    }

    func reset() {
        held.removeAll(keepingCapacity: true)
        rows.removeAll(keepingCapacity: true)
        rowCount = 0
        heldBytes = 0
        firstRowAt = nil
        wait = .none
        timeouts = 0
    }
}

extension BufferedSink.Wait {
    var awaitsVerdict: Bool {
        if case .verdict = self { return true }
        return false
    }

    /// False while waiting for a retry time not reached yet or for a health verdict.
    func allowsAttempt(at time: ContinuousClock.Instant) -> Bool {
        switch self {
        case .none: true
        case .retry(let at): time >= at
        case .verdict: false
        }
    }
}

@available(*, unavailable, message: "A BufferedSink lives on the consumer thread that built it")
extension BufferedSink: Sendable {}
