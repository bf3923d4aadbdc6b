public import AMQPClient
public import EventCore
public import EventTopology

/// One consumer's batch: rows of several deliveries written in one insert, every delivery acknowledged only after
/// that insert succeeded (promise P2), seed scenario 2's buffered-sink gap closed.
///
/// A delivery whose events all fail row validation (or that does not decode) goes to `Q.dlq` at once. One in which
/// only some do has its good rows batched; once the batch is written its refused events are published to `Q.dlq`
/// as a message of their own and the delivery is acked only after that copy is confirmed (`Disposition.republish`
/// in its settlement).
///
/// Each consumer has its own `BufferedSink`, so deliveries are settled on the channel that received them and a
/// slow insert holds back only its own consumer. The batch is flushed when it has `batchSize` rows, when it holds
/// `maxMessages` deliveries (the consumer's prefetch: the broker sends no more until some are settled), or
/// `batchAge` after its first row. A failed flush keeps the rows and is retried every `retryDelay` while the
/// queue's breaker is closed; nothing is dropped, and memory stays bounded by the prefetch. While the breaker is
/// open the consumer pauses and `drain()` requeues the batch, so the messages wait in RabbitMQ.
///
/// Not `Sendable`: its consumer builds it on the consumer's thread and uses it only there, with the writer's
/// connection. Other threads see the queue's state through the `CircuitBreaker` and the metrics.
public final class BufferedSink: DeliveryProcessor {
    public struct Settings: Sendable {
        public var batchSize: Int
        public var batchAge: Duration
        public var maxMessages: Int
        public var retryDelay: Duration

        public init(batchSize: Int, batchAge: Duration, maxMessages: Int, retryDelay: Duration) {
            precondition(batchSize >= 1 && maxMessages >= 1, "a batch needs room for a row and a message")
            self.batchSize = batchSize
            self.batchAge = batchAge
            self.maxMessages = maxMessages
            self.retryDelay = retryDelay
        }
    }

    private let writer: any RowWriter
    private let breaker: CircuitBreaker
    /// Where undecodable messages and bad rows go: `Q.dlq` with the reason headers, when set; else `.reject`.
    private let queue: Topology.Queue?
    private let deadLettered: @Sendable (SinkFailure) -> Void
    private let settings: Settings
    private let logger: Logger
    private let now: @Sendable () -> ContinuousClock.Instant
    /// The deliveries in the batch and how each is settled once the batch is written: `.ack`, or the
    /// dead-letter copy of its refused events.
    private var held: [Settlement] = []
    private var rows: [UInt8] = []
    private var rowCount = 0
    private var firstRowAt: ContinuousClock.Instant?
    private var retryAt: ContinuousClock.Instant?

    public init(
        writer: any RowWriter,
        breaker: CircuitBreaker,
        settings: Settings,
        logger: Logger,
        queue: Topology.Queue? = nil,
        deadLettered: @escaping @Sendable (SinkFailure) -> Void = { _ in },
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.writer = writer
        self.breaker = breaker
        self.queue = queue
        self.deadLettered = deadLettered
        self.settings = settings
        self.logger = logger
        self.now = now
    }

    /// Deliveries held in the current batch.
    public var heldMessages: Int { held.count }
    /// Rows in the current batch.
    public var heldRows: Int { rowCount }

    public func process(_ delivery: Delivery) -> Disposition? {
        let decoded: DeliveryRows
        do {
            decoded = try DeliveryRows(delivery)
        } catch {
            // Decoding and row validation fail only with `decode` or `badRow`, both dead-lettered at once.
            let failure = error.failure ?? .badRow
            deadLettered(failure)
            logger.error(
                "message dead-lettered",
                [
                    "amqp.message_id": "\(delivery.messageID ?? "tag-\(delivery.deliveryTag)")",
                    "reason.text": "\(error.deadLetterReason)", "reason.class": "\(failure.rawValue)",
                ]
            )
            guard let queue else { return .reject }
            return .republish(
                FailureRoute(delivery: delivery, queue: queue, failure: failure, reason: error.deadLetterReason).message
            )
        }
        if held.isEmpty { firstRowAt = now() }
        held.append(Settlement(deliveryTag: delivery.deliveryTag, disposition: settlement(of: delivery, decoded)))
        rows.append(contentsOf: decoded.bytes)
        rowCount += decoded.count
        return nil
    }

    public func poll() -> [Settlement] {
        guard let firstRowAt else { return [] }
        let time = now()
        let due =
            rowCount >= settings.batchSize || held.count >= settings.maxMessages
            || time - firstRowAt >= settings.batchAge
        guard due, retryAt.map({ time >= $0 }) ?? true, !breaker.isOpen else { return [] }
        return flush() ?? []
    }

    public var isPaused: Bool { breaker.isOpen }

    /// Writes the batch if the breaker allows and acks it, else requeues it; then drops the idle connection.
    public func drain() -> [Settlement] {
        defer { writer.disconnect() }
        guard !held.isEmpty else { return [] }
        if !breaker.isOpen, let acks = flush() { return acks }
        let requeues = held.map { Settlement(deliveryTag: $0.deliveryTag, disposition: .requeue) }
        logger.notice("batch handed back to the queue unwritten", ["batch.messages": .int(held.count)])
        reset()
        return requeues
    }

    public func channelLost() {
        guard !held.isEmpty else { return }
        logger.warning("batch dropped with its channel; the broker redelivers it", ["batch.messages": .int(held.count)])
        reset()
    }

    /// One insert of the whole batch: the acks on success; nil on failure, with the rows kept for a retry.
    private func flush() -> [Settlement]? {
        do {
            try writer.insert(rows, rowCount: rowCount)
        } catch {
            retryAt = now() + settings.retryDelay
            logger.warning(
                "batch insert failed; rows kept for a retry",
                ["batch.messages": .int(held.count), "batch.rows": .int(rowCount)].merging(.error(error)) { $1 }
            )
            return nil
        }
        let settlements = held
        for settlement in settlements {
            if settlement.disposition != .ack { deadLettered(.badRow) }
        }
        reset()
        return settlements
    }

    /// How a batched delivery is settled once its rows are written: `.ack`, or, when row validation refused some of
    /// its events, the dead-letter copy of those (without a queue to send it to, `.reject`: the broker dead-letters
    /// the whole message if the queue has a dead-letter exchange; its good rows are written, and collapse by id if
    /// it is replayed).
    private func settlement(of delivery: Delivery, _ rows: DeliveryRows) -> Disposition {
        guard let rejected = rows.rejected else { return .ack }
        logger.error(
            "events refused by row validation; they are dead-lettered once the message's other rows are written",
            [
                "amqp.message_id": "\(rows.messageID)", "reason.class": "bad_row", "reason.text": "\(rejected.summary)",
                "rows.batched": .int(rows.count), "rows.refused": .int(rejected.count),
            ]
        )
        guard let queue else { return .reject }
        return .republish(FailureRoute(rejected: rejected, of: delivery, queue: queue).message)
    }

    private func reset() {
        held.removeAll(keepingCapacity: true)
        rows.removeAll(keepingCapacity: true)
        rowCount = 0
        firstRowAt = nil
        retryAt = nil
    }
}

@available(*, unavailable, message: "A BufferedSink lives on the consumer thread that built it")
extension BufferedSink: Sendable {}
