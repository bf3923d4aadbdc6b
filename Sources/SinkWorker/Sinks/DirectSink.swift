import Foundation
import Shared

/// Writes each delivery as one insert and acknowledges only after ClickHouse accepted it (promise P2).
///
/// An undecodable message or a bad row is rejected, which the broker moves to the queue's `.dlq`; a failed
/// insert waits `retryDelay` and requeues, so the message stays in RabbitMQ until it can be written. While the
/// queue's circuit breaker is open nothing is inserted: the message is requeued and the consumer pauses.
final class DirectSink: @unchecked Sendable {  // used only from its consumer's thread, which owns `writer`
    let writer: TableWriter
    private let retryDelay: Duration
    private let logger: Logger

    init(writer: TableWriter, retryDelay: Duration, logger: Logger) {
        self.writer = writer
        self.retryDelay = retryDelay
        self.logger = logger
    }

    func handle(_ delivery: Delivery) -> Disposition {
        let messageID = delivery.messageID ?? "tag-\(delivery.deliveryTag)"
        let rows: [UInt8]
        let rowCount: Int
        do {
            let envelope = try EventEnvelope.decode(json: delivery.body, routingKey: delivery.routingKey)
            rows = try EventRows.jsonEachRow(
                envelope, messageID: messageID, receivedAtSeconds: Int64(Date().timeIntervalSince1970))
            rowCount = envelope.events.count
        } catch {
            logger.error(
                "message dead-lettered", ["amqp.message_id": messageID, "reason": "\(error)"])
            return .reject
        }
        guard !writer.breaker.isOpen else { return .requeue }
        do {
            try writer.insert(rows, rowCount: rowCount)
            return .ack
        } catch {
            logger.warning(
                "insert failed; message requeued",
                ["amqp.message_id": messageID, "clickhouse.table": "\(writer.table)"].merging(.error(error)) { $1 })
            Thread.sleep(forTimeInterval: Double(retryDelay.components.seconds)
                + Double(retryDelay.components.attoseconds) / 1e18)
            return .requeue
        }
    }
}
