import AMQPClient
import EventCore
import EventTopology
import Foundation

/// Sends a delivery that could not be written to where its `FailureRoute` says (`Q.retry.n`, else `Q.dlq` with the
/// reason), with one log line and a count of the queue's retried or dead-lettered messages. Used by both sinks, so
/// a message ClickHouse refuses takes the same path whichever sink refused it.
struct FailureRouter: Sendable {
    let queue: Topology.Queue
    let metrics: FailureMetrics
    let logger: Logger

    /// The copy to publish (`Disposition.republish`: the original is acked once the copy is confirmed).
    func route(_ delivery: Delivery, _ failure: SinkFailure, reason: String, now: Date = Date()) -> Disposition {
        let route = FailureRoute(delivery: delivery, queue: queue, failure: failure, reason: reason, now: now)
        var metadata: Logger.Metadata = [
            "amqp.message_id": "\(route.message.messageID)", "reason.class": "\(failure.rawValue)",
            "reason.text": "\(reason)",
        ]
        switch route.destination {
        case .retry(let number, let delay):
            metrics.retried(failure)
            metadata["retry.number"] = "\(number)"
            metadata["retry.delay"] = "\(delay)"
            logger.warning("write failed; message scheduled for a retry", metadata)
        case .deadLetter:
            metrics.deadLettered(failure)
            metadata["amqp.dlq"] = "\(queue.deadLetterQueue)"
            logger.error("message dead-lettered", metadata)
        }
        return .republish(route.message)
    }
}
