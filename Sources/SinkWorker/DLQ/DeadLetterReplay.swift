import Foundation
import Shared

/// Moves messages from `Q.dlq` back to `Q` one at a time: each copy (retry count reset, dead-letter headers
/// removed) is confirmed by the broker before its DLQ original is acked, so a failure at any point loses
/// nothing (at worst a message exists in both queues, which the table's deduplication absorbs).
struct DeadLetterReplay {
    let queue: Topology.Queue
    let client: AMQPBlockingClient

    /// Replays `limit` messages, or every message in the DLQ at the start when nil (messages that fail again
    /// meanwhile are not replayed twice in one run). Prints progress.
    func run(limit: Int?) throws {
        guard let depth = try client.readyMessageCount(queue: queue.deadLetterQueue) else {
            throw AMQPError(
                code: .declarationFailed,
                message: "\(queue.deadLetterQueue) does not exist: start a worker for \(queue.name) first")
        }
        let total = min(limit ?? depth, depth)
        let progress = Progress(total: total)
        var replayed = 0
        while replayed < total, let delivery = try client.get(queue: queue.deadLetterQueue) {
            do {
                try client.publishConfirmed(DeadLetterHeaders.replayCopy(of: delivery, to: queue.name))
            } catch {
                try client.requeueAll(upTo: delivery)
                progress.finish(replayed)
                throw error
            }
            try client.ack(delivery)
            replayed += 1
            progress.update(replayed)
        }
        progress.finish(replayed)
    }
}

/// `replayed N/TOTAL` on standard output: rewritten in place on a terminal, every 100 messages otherwise.
private struct Progress {
    let total: Int
    let isTerminal = isatty(STDOUT_FILENO) == 1

    func update(_ done: Int) {
        if isTerminal {
            write("\rreplayed \(done)/\(total)")
        } else if done % 100 == 0 && done < total {
            write("replayed \(done)/\(total)\n")
        }
    }

    func finish(_ done: Int) {
        write("\(isTerminal ? "\r" : "")replayed \(done)/\(total)\n")
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
