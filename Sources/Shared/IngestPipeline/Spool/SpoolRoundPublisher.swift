import AMQPClient

/// Publishes a round of spooled batches and finds the messages the broker refuses, so one refused message
/// neither blocks the replay nor makes it publish the rest of its round again and again.
///
/// The round goes out as one publish call (the broker confirms it in one go). When the broker refuses one of
/// its messages (basic.nack, for example a queue at its `max-length` with `overflow: reject-publish`, or a
/// basic.return of a message no binding routes), the round's messages are published again one by one, in
/// order, and those refused again are returned; the others are confirmed (some a second time: at-least-once,
/// the sinks deduplicate by event id). Any other failure (connection lost, timeout) is thrown: the round is
/// retried whole later.
enum SpoolRoundPublisher {
    /// The refused messages, grouped by the batch they came from (batches with none refused are left out).
    static func publish(
        _ batches: [SpoolBatch],
        with publish: SpoolReplayer.Publish
    ) async throws -> [SpoolBatch] {
        let messages = batches.flatMap(\.messages)
        guard !messages.isEmpty else { return [] }
        do {
            try await publish(messages)
            return []
        } catch  where isRefusal(error) {
            // Published one by one below.
        }
        var refused: [SpoolBatch] = []
        for batch in batches {
            var kept = batch
            kept.messages = []
            for message in batch.messages {
                do {
                    try await publish([message])
                } catch  where isRefusal(error) {
                    kept.messages.append(message)
                }
            }
            if !kept.messages.isEmpty {
                refused.append(kept)
            }
        }
        return refused
    }

    /// True for the broker's refusal of a message (nack or return), as opposed to a failure to reach it.
    static func isRefusal(_ error: any Error) -> Bool {
        guard let error = error as? AMQPError else { return false }
        return error.code == .publishNacked || error.code == .publishReturned
    }
}
