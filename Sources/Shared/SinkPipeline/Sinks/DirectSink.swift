public import AMQPClient
public import EventCore
public import EventTopology
public import Foundation

/// Writes each delivery as one insert and acknowledges only after ClickHouse accepted it (promise P2).
///
/// An undecodable message, or one whose every event fails row validation, goes to `Q.dlq` at once with the
/// reason. A message in which only some events fail validation has its good rows inserted, then its refused
/// events published to `Q.dlq` as a message of their own (`RejectedEvents`, with the reason), and is acked only
/// once that copy is confirmed (`Disposition.republish`): if the copy is not confirmed the message is requeued and
/// its good rows, inserted again, collapse by event id. An insert that ClickHouse refuses goes through the
/// queue's delayed retries (`Q.retry.n`), then to `Q.dlq` with ClickHouse's error. An unreachable or timed-out
/// ClickHouse is an outage, not the message's fault: the delivery is requeued after `outageDelay` without
/// counting a retry, so an outage never fills the DLQ. While the queue's circuit breaker is open nothing is
/// inserted: the delivery is requeued and the consumer pauses (`DirectSink+Processor.swift`).
///
/// Not `Sendable`: its consumer builds it on the consumer's thread and uses it only there, with `writer`'s
/// connection. Other threads see the queue's state through the `CircuitBreaker` and the metrics.
public final class DirectSink {
    let writer: any RowWriter
    let breaker: CircuitBreaker
    private let queue: Topology.Queue
    private let outageDelay: Duration
    private let metrics: FailureMetrics
    private let logger: Logger
    private let now: @Sendable () -> Date

    public init(
        writer: any RowWriter,
        breaker: CircuitBreaker,
        queue: Topology.Queue,
        outageDelay: Duration,
        metrics: FailureMetrics,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.writer = writer
        self.breaker = breaker
        self.queue = queue
        self.outageDelay = outageDelay
        self.metrics = metrics
        self.logger = logger
        self.now = now
    }

    public func handle(_ delivery: Delivery) -> Disposition {
        let rows: DeliveryRows
        do {
            rows = try DeliveryRows(delivery, now: now())
        } catch {
            return route(delivery, error.failure ?? .badRow, reason: error.deadLetterReason)
        }
        guard !breaker.isOpen else { return .requeue }
        do {
            try writer.insert(rows.bytes, rowCount: rows.count)
        } catch let error as SinkError where error.code == .insertRefused {
            return route(delivery, .insert, reason: error.deadLetterReason)
        } catch {
            logger.warning(
                "ClickHouse unreachable; message requeued",
                ["amqp.message_id": "\(rows.messageID)", "clickhouse.table": "\(queue.table)"].merging(.error(error)) {
                    $1
                }
            )
            Thread.sleep(forTimeInterval: outageDelay.secondsDouble)
            return .requeue
        }
        guard let rejected = rows.rejected else { return .ack }
        return deadLetter(rejected, of: delivery, rows: rows)
    }

    /// The good rows are written: the refused events go to the DLQ, and the delivery is acked once they are there.
    private func deadLetter(_ rejected: RejectedEvents, of delivery: Delivery, rows: DeliveryRows) -> Disposition {
        let route = FailureRoute(rejected: rejected, of: delivery, queue: queue, now: now())
        metrics.deadLettered(.badRow)
        logger.error(
            "events refused by row validation dead-lettered; the message's other rows were written",
            [
                "amqp.message_id": "\(rows.messageID)", "amqp.dlq": "\(queue.deadLetterQueue)",
                "reason.class": "bad_row",
                "reason.text": "\(rejected.summary)", "rows.written": .int(rows.count),
                "rows.refused": .int(rejected.count),
            ]
        )
        return .republish(route.message)
    }

    private func route(_ delivery: Delivery, _ failure: SinkFailure, reason: String) -> Disposition {
        let route = FailureRoute(delivery: delivery, queue: queue, failure: failure, reason: reason, now: now())
        var metadata: Logger.Metadata = [
            "amqp.message_id": "\(route.message.messageID)", "reason.class": "\(failure.rawValue)",
            "reason.text": "\(reason)",
        ]
        switch route.destination {
        case .retry(let number, let delay):
            metrics.retried(failure)
            metadata["retry.number"] = .int(number)
            metadata["retry.delay_seconds"] = .seconds(delay)
            logger.warning("write failed; message scheduled for a retry", metadata)
        case .deadLetter:
            metrics.deadLettered(failure)
            metadata["amqp.dlq"] = "\(queue.deadLetterQueue)"
            logger.error("message dead-lettered", metadata)
        }
        return .republish(route.message)
    }
}

@available(*, unavailable, message: "A DirectSink lives on the consumer thread that built it")
extension DirectSink: Sendable {}
