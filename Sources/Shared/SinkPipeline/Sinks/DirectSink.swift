public import AMQPClient
import ClickHouseClient
public import EventCore
public import EventTopology
import EventWire
import Foundation

/// Writes each delivery as one insert and acknowledges only after ClickHouse accepted it (promise P2).
///
/// An undecodable message or a bad row goes to `Q.dlq` at once with the reason. An insert that ClickHouse
/// refuses goes through the queue's delayed retries (`Q.retry.n`), then to `Q.dlq` with ClickHouse's error.
/// An unreachable or timed-out ClickHouse is an outage, not the message's fault: the delivery is requeued after
/// `outageDelay` without counting a retry, so an outage never fills the DLQ. Copies are published with a confirm
/// before the original is acked (`Disposition.republish`). While the queue's circuit breaker is open nothing is
/// inserted: the delivery is requeued and the consumer pauses (`DirectSink+Processor.swift`).
///
/// Not `Sendable`: its consumer builds it on the consumer's thread and uses it only there, with `writer`'s
/// connection. Other threads see the queue's state through the `CircuitBreaker` and the metrics.
public final class DirectSink {
    let writer: TableWriter
    private let queue: Topology.Queue
    private let outageDelay: Duration
    private let metrics: FailureMetrics
    private let logger: Logger

    public init(
        writer: TableWriter,
        queue: Topology.Queue,
        outageDelay: Duration,
        metrics: FailureMetrics,
        logger: Logger
    ) {
        self.writer = writer
        self.queue = queue
        self.outageDelay = outageDelay
        self.metrics = metrics
        self.logger = logger
    }

    public func handle(_ delivery: Delivery) -> Disposition {
        let messageID = delivery.messageID ?? "tag-\(delivery.deliveryTag)"
        let envelope: EventEnvelope
        do {
            envelope = try EventEnvelope.decode(json: delivery.body, routingKey: delivery.routingKey)
        } catch {
            return route(delivery, .decode, reason: error.deadLetterReason)
        }
        let rows: [UInt8]
        let rowCount = envelope.events.count
        do {
            let now = Date().timeIntervalSince1970
            rows = try EventRows.jsonEachRow(
                envelope,
                messageID: messageID,
                receivedAtMilliseconds: Int64(now * 1000),
                writtenAtSeconds: Int64(now)
            )
        } catch {
            return route(delivery, .badRow, reason: error.deadLetterReason)
        }
        return write(rows, rowCount: rowCount, of: delivery)
    }

    /// The insert, and what its outcome means for the delivery; nothing is tried while the breaker is open.
    private func write(_ rows: [UInt8], rowCount: Int, of delivery: Delivery) -> Disposition {
        guard !writer.breaker.isOpen else { return .requeue }
        do {
            try writer.insert(rows, rowCount: rowCount)
            return .ack
        } catch  where error.code == .insertRefused {
            return route(delivery, .insert, reason: error.deadLetterReason)
        } catch {
            logger.warning(
                "ClickHouse unreachable; message requeued",
                ["amqp.message_id": delivery.messageID ?? "", "clickhouse.table": "\(writer.table)"]
                    .merging(.error(error)) { $1 }
            )
            Thread.sleep(forTimeInterval: outageDelay.secondsDouble)
            return .requeue
        }
    }

    private func route(_ delivery: Delivery, _ failure: SinkFailure, reason: String) -> Disposition {
        let route = FailureRoute(delivery: delivery, queue: queue, failure: failure, reason: reason)
        var metadata: Logger.Metadata = [
            "amqp.message_id": route.message.messageID, "reason.class": failure.rawValue, "reason": reason,
        ]
        switch route.destination {
        case .retry(let number, let delay):
            metrics.retried(failure)
            metadata["retry.number"] = String(number)
            metadata["retry.delay"] = "\(delay)"
            logger.warning("write failed; message scheduled for a retry", metadata)
        case .deadLetter:
            metrics.deadLettered(failure)
            metadata["amqp.dlq"] = queue.deadLetterQueue
            logger.error("message dead-lettered", metadata)
        }
        return .republish(route.message)
    }
}

@available(*, unavailable, message: "A DirectSink lives on the consumer thread that built it")
extension DirectSink: Sendable {}
