import AMQPClient
import EventCore

extension SpoolReplayer {
    /// Publishes one round; returns the refused messages by batch (see `SpoolRoundPublisher`).
    func publishRound(_ batches: [SpoolBatch]) async throws -> [SpoolBatch] {
        try await SpoolRoundPublisher.publish(batches, with: publish)
    }

    /// Writes the round's refused and undecodable records to `SPOOL_DIR/set-aside/` (durably, before the cursor
    /// moves past them), counts and logs them.
    func setAside(_ refused: [SpoolBatch], undecodable: [[UInt8]], segment: UInt64, offset: Int) throws {
        let directory = spool.configuration.directory
        if !refused.isEmpty {
            let payloads = refused.map { batch in
                SpoolBatchCodec.encode(batch.messages, spooledAtMillis: batch.spooledAtMillis ?? Spool.nowMillis())
            }
            let path = try SpoolSetAside.write(
                payloads,
                reason: .refused,
                segment: segment,
                offset: offset,
                directory: directory
            )
            let count = refused.reduce(0) { $0 + $1.messages.count }
            metrics.setAsideRefused.increment(by: count)
            logger.error(
                "the broker refused spooled messages on replay; set aside, the replay goes on",
                [
                    "spool.messages": .int(count), "spool.file": "\(path)",
                    "spool.routing_keys": "\(Set(refused.flatMap { $0.messages.map(\.routingKey) }).sorted())",
                    "spool.replay_with": "IngestGateway spool replay --dir \(directory)",
                ]
            )
        }
        if !undecodable.isEmpty {
            let path = try SpoolSetAside.write(
                undecodable,
                reason: .undecodable,
                segment: segment,
                offset: offset,
                directory: directory
            )
            metrics.setAsideUndecodable.increment(by: undecodable.count)
            logger.error(
                "spool records do not decode; set aside for inspection, the replay goes on",
                ["spool.records": .int(undecodable.count), "spool.file": "\(path)"]
            )
        }
    }
}
