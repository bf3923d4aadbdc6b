import Foundation
import Shared

/// Writes each delivery as one insert and acknowledges only after ClickHouse accepted it (promise P2).
///
/// An undecodable message or a bad row is rejected, which the broker moves to the queue's `.dlq`; a failed
/// insert waits `retryDelay` and requeues, so the message stays in RabbitMQ until it can be written.
final class DirectSink: @unchecked Sendable {  // used only from its consumer's thread, which owns `connection`
    private let connection: ClickHouseConnection
    private let table: QualifiedTable
    private let retryDelay: Duration
    private let logger: Logger

    init(connection: ClickHouseConnection, table: QualifiedTable, retryDelay: Duration, logger: Logger) {
        self.connection = connection
        self.table = table
        self.retryDelay = retryDelay
        self.logger = logger
    }

    func handle(_ delivery: Delivery) -> Disposition {
        let messageID = delivery.messageID ?? "tag-\(delivery.deliveryTag)"
        let rows: [UInt8]
        do {
            let envelope = try EventEnvelope.decode(json: delivery.body, routingKey: delivery.routingKey)
            rows = try EventRows.jsonEachRow(
                envelope, messageID: messageID, receivedAtSeconds: Int64(Date().timeIntervalSince1970))
        } catch {
            logger.error(
                "message dead-lettered", ["amqp.message_id": messageID, "reason": "\(error)"])
            return .reject
        }
        do {
            try connection.insert(into: table, columns: EventTable.columns, jsonEachRow: rows)
            return .ack
        } catch {
            logger.warning(
                "insert failed; message requeued",
                ["amqp.message_id": messageID, "clickhouse.table": "\(table)"].merging(.error(error)) { $1 })
            Thread.sleep(forTimeInterval: Double(retryDelay.components.seconds)
                + Double(retryDelay.components.attoseconds) / 1e18)
            return .requeue
        }
    }
}
