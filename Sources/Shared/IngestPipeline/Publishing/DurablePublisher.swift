public import AMQPClient
public import EventCore
import Synchronization

/// Publish or spool (promise P1): a batch is acknowledged once the broker confirmed all its messages or, when
/// the broker cannot (not connected; connection refused or lost; login, declaration or channel failure; the
/// publisher shutting down; no confirm within `confirmTimeout`), once the batch is fsynced to the spool, which
/// `SpoolReplayer` drains later.
///
/// While the publisher is disconnected, batches go to the spool at once instead of waiting for a connection
/// attempt. A broker's refusal is not an outage: a nacked batch, or one with an unroutable message (a routing
/// key that no binding matches; the default topology's catch-all `#` binding rules it out), is answered
/// UNAVAILABLE, counted and logged, and never spooled (replaying it would be refused again). A full or failing
/// spool during an outage is also UNAVAILABLE: the client keeps the batch and retries.
public final class DurablePublisher: Sendable {
    public enum Outcome: Sendable {
        case confirmed
        case spooled
    }

    let publisher: any ConfirmingPublisher
    let spool: any DurableLog
    let confirmTimeout: Duration
    let metrics: DurablePublisherMetrics
    let logger: Logger
    /// True while batches go to the spool; logs only the changes.
    private let spooling = Mutex(false)

    public init(
        publisher: any ConfirmingPublisher,
        spool: any DurableLog,
        confirmTimeout: Duration,
        metrics: DurablePublisherMetrics,
        logger: Logger
    ) {
        self.publisher = publisher
        self.spool = spool
        self.confirmTimeout = confirmTimeout
        self.metrics = metrics
        self.logger = logger
    }

    /// Returns once `messages` are confirmed by the broker or durable in the spool; throws an UNAVAILABLE
    /// `IngestError` otherwise.
    public func publish(_ messages: [OutgoingMessage]) async throws(IngestError) -> Outcome {
        let reason: String
        if publisher.isConnected {
            do {
                try await withDeadline(confirmTimeout) { [publisher] in try await publisher.publish(messages) }
                changeMode(spooling: false, reason: "the broker confirmed a batch")
                return .confirmed
            } catch let error as AMQPError where error.code == .publishNacked {
                metrics.batchesNacked.increment()
                logger.error("the broker nacked a batch; answering UNAVAILABLE", .error(error))
                throw IngestError(
                    .unavailable,
                    "the broker refused the batch (nack); retry with the same event ids",
                    cause: error
                )
            } catch let error as AMQPError where error.code == .publishReturned {
                metrics.batchesUnroutable.increment()
                logger.error("a batch had an unroutable message; answering UNAVAILABLE", .error(error))
                throw IngestError(
                    .unavailable,
                    "no queue is bound for an event type of this batch; retry once the topology routes it",
                    cause: error
                )
            } catch is DeadlineExceeded {
                // The publish stays in flight on the publisher's thread; if it is confirmed late, the broker gets
                // the batch twice (now and from the spool) and the sinks deduplicate by event id.
                metrics.confirmTimeouts.increment()
                reason = "no confirm within \(confirmTimeout)"
            } catch {
                reason = "\(error)"
            }
        } else {
            reason = "the broker is not connected"
        }
        return try await spoolBatch(messages, reason: reason)
    }

    private func spoolBatch(_ messages: [OutgoingMessage], reason: String) async throws(IngestError) -> Outcome {
        changeMode(spooling: true, reason: reason)
        do {
            try await spool.append(messages)
        } catch {
            metrics.spoolRefusals.increment()
            logger.error("neither the broker nor the spool took a batch; answering UNAVAILABLE", .error(error))
            let full = (error as? SpoolError)?.code == .full
            throw IngestError(
                .unavailable,
                full
                    ? "the broker is unreachable and the gateway's spool is full; retry later with the same event ids"
                    : "the broker is unreachable and the gateway's spool failed; retry with the same event ids",
                cause: error
            )
        }
        metrics.batchesSpooled.increment()
        return .spooled
    }

    private func changeMode(spooling isSpooling: Bool, reason: String) {
        let changed = spooling.withLock { state -> Bool in
            defer { state = isSpooling }
            return state != isSpooling
        }
        guard changed else { return }
        if isSpooling {
            logger.warning("broker unavailable; acknowledging batches from the spool", ["reason.text": "\(reason)"])
        } else {
            logger.notice("broker confirms batches again; publishing directly", ["reason.text": "\(reason)"])
        }
    }
}
