public import AMQPClient
import ClickHouseClient
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
/// queue's delayed retries (`Q.retry.n`), then to `Q.dlq` with ClickHouse's error. An unreachable ClickHouse is an
/// outage, not the message's fault: the delivery is requeued after `outageDelay` without counting a retry, so an
/// outage never fills the DLQ. A timed-out insert is an outage too, unless a health check that started after the
/// insert started found the database healthy: then it is a strike against the message (`TimeoutStrikes`), and
/// after `strikes.limit` of them in a row the message counts as refused (retry path, then `Q.dlq`). While the
/// queue's circuit breaker is open nothing is inserted: the delivery is requeued and the consumer pauses
/// (`DirectSink+Processor.swift`).
///
/// Not `Sendable`: its consumer builds it on the consumer's thread and uses it only there, with `writer`'s
/// connection. Other threads see the queue's state through the `CircuitBreaker` and the metrics.
public final class DirectSink {
    let writer: any RowWriter
    let breaker: CircuitBreaker
    private let queue: Topology.Queue
    private let outageDelay: Duration
    private let strikes: TimeoutStrikes
    private let router: FailureRouter
    private let logger: Logger
    private let now: @Sendable () -> Date

    public init(
        writer: any RowWriter,
        breaker: CircuitBreaker,
        queue: Topology.Queue,
        outageDelay: Duration,
        metrics: FailureMetrics,
        logger: Logger,
        strikes: TimeoutStrikes = TimeoutStrikes(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.writer = writer
        self.breaker = breaker
        self.queue = queue
        self.outageDelay = outageDelay
        self.strikes = strikes
        self.router = FailureRouter(queue: queue, metrics: metrics, logger: logger)
        self.logger = logger
        self.now = now
    }

    public func handle(_ delivery: Delivery) -> Disposition {
        let rows: DeliveryRows
        do {
            rows = try DeliveryRows(delivery, now: now())
        } catch {
            return router.route(delivery, error.failure ?? .badRow, reason: error.deadLetterReason, now: now())
        }
        return write(rows, of: delivery)
    }

    /// Inserts the decoded rows of `delivery` alone and says how to settle it (also what a buffered sink does with
    /// a message larger than its batch cap).
    func write(_ rows: DeliveryRows, of delivery: Delivery) -> Disposition {
        guard !breaker.isOpen else { return .requeue }
        let checkBefore = breaker.health.startedChecks
        do {
            try writer.insert(rows.bytes, rowCount: rows.count)
        } catch let error as SinkError where error.code == .insertRefused {
            strikes.clear(TimeoutStrikes.key(of: delivery))
            return router.route(delivery, .insert, reason: error.deadLetterReason, now: now())
        } catch {
            return outage(error, delivery: delivery, rows: rows, checkBefore: checkBefore)
        }
        strikes.clear(TimeoutStrikes.key(of: delivery))
        guard let rejected = rows.rejected else { return .ack }
        return deadLetter(rejected, of: delivery, rows: rows)
    }

    /// The insert did not finish: requeue after `outageDelay`, unless the timeouts of this message while the
    /// database was healthy reached the limit, which makes it a refusal.
    private func outage(_ error: any Error, delivery: Delivery, rows: DeliveryRows, checkBefore: UInt64) -> Disposition
    {
        Thread.sleep(forTimeInterval: outageDelay.secondsDouble)
        let key = TimeoutStrikes.key(of: delivery)
        let status = breaker.health.status
        if let error = error as? SinkError, error.isTimeout, status.isHealthy, status.check > checkBefore {
            router.metrics.timeoutsWhileHealthy.increment()
            let count = strikes.record(key)
            logger.warning(
                "insert timed out while the database answered its health checks",
                [
                    "amqp.message_id": "\(rows.messageID)", "timeouts.count": .int(count),
                    "timeouts.limit": "\(strikes.limit)",
                ]
            )
            if count >= strikes.limit {
                strikes.clear(key)
                let reason = "insert timed out \(count) times in a row while the database was healthy: \(error.message)"
                return router.route(delivery, .insert, reason: reason, now: now())
            }
            return .requeue
        }
        logger.warning(
            "ClickHouse unreachable; message requeued",
            ["amqp.message_id": "\(rows.messageID)", "clickhouse.table": "\(queue.table)"].merging(.error(error)) { $1 }
        )
        return .requeue
    }

    /// The good rows are written: the refused events go to the DLQ, and the delivery is acked once they are there.
    private func deadLetter(_ rejected: RejectedEvents, of delivery: Delivery, rows: DeliveryRows) -> Disposition {
        let route = FailureRoute(rejected: rejected, of: delivery, queue: queue, now: now())
        router.metrics.deadLettered(.badRow)
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
}

@available(*, unavailable, message: "A DirectSink lives on the consumer thread that built it")
extension DirectSink: Sendable {}
