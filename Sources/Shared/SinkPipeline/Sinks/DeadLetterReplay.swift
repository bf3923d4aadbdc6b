public import AMQPClient
public import EventTopology

/// Moves messages from `Q.dlq` back to `Q` one at a time: each copy (retry count reset, dead-letter headers
/// removed) is confirmed by the broker before its DLQ original is acked, so a failure at any point loses
/// nothing (at worst a message exists in both queues, which the table's deduplication absorbs).
public struct DeadLetterReplay {
    public let queue: Topology.Queue
    public let client: AMQPBlockingClient

    public init(queue: Topology.Queue, client: AMQPBlockingClient) {
        self.queue = queue
        self.client = client
    }

    /// Replays `limit` messages, or every message in the DLQ at the start when nil (messages that fail again
    /// meanwhile are not replayed twice in one run), and returns how many it moved. `progress` gets
    /// (done, total) after each message.
    @discardableResult
    public func run(limit: Int?, progress: (Int, Int) -> Void = { _, _ in }) throws -> Int {
        guard let depth = try client.readyMessageCount(queue: queue.deadLetterQueue) else {
            throw AMQPError(
                code: .declarationFailed,
                message: "\(queue.deadLetterQueue) does not exist: start a worker for \(queue.name) first"
            )
        }
        let total = min(limit ?? depth, depth)
        var replayed = 0
        while replayed < total, let delivery = try client.get(queue: queue.deadLetterQueue) {
            do {
                try client.publishConfirmed(DeadLetterHeaders.replayCopy(of: delivery, to: queue.name))
            } catch {
                try client.requeueAll(upTo: delivery)
                throw DeadLetterReplayError(replayed: replayed, cause: error)
            }
            try client.ack(delivery)
            replayed += 1
            progress(replayed, total)
        }
        return replayed
    }
}

/// A replay that stopped because a copy was not confirmed; the message stays in the DLQ.
public struct DeadLetterReplayError: Error, CustomStringConvertible, Sendable {
    /// Messages moved before the failure.
    public var replayed: Int
    public var cause: any Error

    public var description: String {
        "replay stopped after \(replayed) messages: the broker did not confirm the next copy, which stays in the "
            + "DLQ; fix the cause and run the replay again (\(cause))"
    }
}
