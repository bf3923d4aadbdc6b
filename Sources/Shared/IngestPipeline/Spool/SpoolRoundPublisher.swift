import AMQPClient

/// Publishes a round of spooled batches and finds the messages the broker refuses, so one refused message
/// neither blocks the replay nor makes it publish the rest of its round again and again.
///
/// The round goes out as one publish call, in order, confirmed in one go. When the broker refuses one of its
/// messages (basic.nack, for example a queue at its `max-length` with `overflow: reject-publish`, or a
/// basic.return of a message no binding routes), the call fails without saying which others were confirmed, so
/// the round's messages are published once more, each as its own call (`window` calls at a time: the publisher
/// sends each window together and reads its confirms in one go, and never holds more calls than it queues, see
/// `AMQPPublisher`'s `maxQueuedCalls`), and each learns its own fate: those refused are returned
/// to be set aside. A message confirmed by the first attempt may be refused by the second (the queue filled up)
/// and set aside as well: it is then delivered twice, which the sinks absorb (at-least-once, deduplicated by
/// event id). Any other failure (connection lost, timeout) is thrown: the round is retried whole later.
enum SpoolRoundPublisher {
    /// Calls in flight while the round's messages learn their fates one by one: below the publisher's bound on
    /// waiting calls (16), so the search is never refused as a backlog.
    static let window = 8

    /// The refused messages, grouped by the batch they came from (batches with none refused are left out).
    static func publish(
        _ batches: [SpoolBatch],
        with publish: @escaping SpoolReplayer.Publish
    ) async throws -> [SpoolBatch] {
        let messages = batches.flatMap(\.messages)
        guard !messages.isEmpty else { return [] }
        do {
            try await publish(messages)
            return []
        } catch  where isRefusal(error) {
            // Below: each message once more, alone.
        }
        var refused = Set<Int>()
        var failure: (any Error)?
        for start in stride(from: 0, to: messages.count, by: window) {
            let indices = start..<min(start + window, messages.count)
            await withTaskGroup(of: (Int, (any Error)?).self) { group in
                for index in indices {
                    let message = messages[index]
                    group.addTask {
                        do {
                            try await publish([message])
                            return (index, nil)
                        } catch {
                            return (index, error)
                        }
                    }
                }
                for await (index, error) in group {
                    guard let error else { continue }
                    if isRefusal(error) {
                        refused.insert(index)
                    } else if failure == nil {
                        failure = error
                    }
                }
            }
            if failure != nil { break }
        }
        if let failure { throw failure }
        var result: [SpoolBatch] = []
        var index = 0
        for batch in batches {
            var kept = batch
            kept.messages = []
            for message in batch.messages {
                if refused.contains(index) { kept.messages.append(message) }
                index += 1
            }
            if !kept.messages.isEmpty { result.append(kept) }
        }
        return result
    }

    /// True for the broker's refusal of a message (nack or return), as opposed to a failure to reach it.
    static func isRefusal(_ error: any Error) -> Bool {
        guard let error = error as? AMQPError else { return false }
        return error.code == .publishNacked || error.code == .publishReturned
    }
}
