public import AMQPClient
public import EventCore
import Synchronization

/// Publish or spool (promise P1): a batch is acknowledged once the broker confirmed all its messages or, when
/// the broker cannot (not connected; connection refused or lost; login, declaration or channel failure; the
/// publisher shutting down or its queue full; a stalled broker; no confirm within `confirmTimeout`), once the
/// batch is fsynced to the spool, which `SpoolReplayer` drains later.
///
/// While the publisher is disconnected or the broker is stalled (`StallDetector`: blocked by a resource alarm,
/// or owing confirms and silent for `stallTimeout`), batches go to the spool at once instead of waiting; a batch
/// already waiting for its confirm stops waiting as soon as the stall is seen (within `stallTimeout`) and is
/// spooled too. Its publish call is cancelled: withdrawn if the publisher had not sent it yet, else left in
/// flight, and if the broker confirms it later the broker holds it twice (counted by the publisher as late
/// confirms; the sinks deduplicate by event id). Publishing resumes once the publisher reports confirms again.
///
/// A broker's refusal is not an outage: a nacked batch, or one with an unroutable message (a routing key that no
/// binding matches; the default topology's catch-all `#` binding rules it out), is answered UNAVAILABLE, counted
/// and logged, and never spooled (replaying it would be refused again). A full or failing spool during an outage
/// is also UNAVAILABLE: the client keeps the batch and retries.
public final class DurablePublisher: Sendable {
    public enum Outcome: Sendable {
        case confirmed
        case spooled
    }

    /// Where batches go, for logging the changes only.
    enum Mode: Sendable, Equatable {
        case publishing
        case spooling
        case stalled
    }

    let publisher: any ConfirmingPublisher
    let spool: any DurableLog
    let confirmTimeout: Duration
    let detector: StallDetector
    let metrics: DurablePublisherMetrics
    let logger: Logger
    private let mode = Mutex(Mode.publishing)

    /// - Parameter stallTimeout: `PUBLISH_STALL_TIMEOUT`, see `StallDetector`; default 1 s.
    public init(
        publisher: any ConfirmingPublisher,
        spool: any DurableLog,
        confirmTimeout: Duration,
        stallTimeout: Duration = .seconds(1),
        metrics: DurablePublisherMetrics,
        logger: Logger
    ) {
        self.publisher = publisher
        self.spool = spool
        self.confirmTimeout = confirmTimeout
        detector = StallDetector(threshold: stallTimeout)
        self.metrics = metrics
        self.logger = logger
    }

    /// True while the publisher is connected and the broker is not stalled: worth sending a batch to.
    public var brokerIsUsable: Bool {
        if case .healthy = detector.verdict(publisher.status, at: .now) { return true }
        return false
    }

    /// True while the publisher is connected but the broker stalled (for the `eventgrpc_publisher_stalled` gauge).
    public var brokerIsStalled: Bool {
        if case .stalled = detector.verdict(publisher.status, at: .now) { return true }
        return false
    }

    /// Returns once `messages` are confirmed by the broker or durable in the spool; throws an UNAVAILABLE
    /// `IngestError` otherwise.
    public func publish(_ messages: [OutgoingMessage]) async throws(IngestError) -> Outcome {
        let reason: String
        switch detector.verdict(publisher.status, at: .now) {
        case .disconnected:
            reason = "the broker is not connected"
            change(to: .spooling, reason: reason)
        case .stalled(let stall):
            reason = stall
            change(to: .stalled, reason: reason)
        case .healthy:
            do {
                try await awaitConfirm(messages)
                change(to: .publishing, reason: "the broker confirmed a batch")
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
            } catch let gaveUp as ConfirmWaitAbandoned {
                reason = gaveUp.reason
            } catch {
                reason = "\(error)"
                change(to: .spooling, reason: reason)
            }
        }
        return try await spoolBatch(messages, reason: reason)
    }

    /// Publishes `messages` without a spool behind it (the spool's replayer): returns once the broker confirmed
    /// them; throws the publisher's error, or an UNAVAILABLE `IngestError` when the broker stalled or no confirm
    /// came within the confirm timeout (the messages may still reach the broker: replay them again).
    public func publishConfirmed(_ messages: [OutgoingMessage]) async throws {
        do {
            try await awaitConfirm(messages)
        } catch let gaveUp as ConfirmWaitAbandoned {
            throw IngestError(.unavailable, "\(gaveUp.reason); the messages stay in the spool", cause: gaveUp)
        }
    }

    private func spoolBatch(_ messages: [OutgoingMessage], reason: String) async throws(IngestError) -> Outcome {
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

    /// Records where batches go now; logs (and counts a stall) only when that changes.
    func change(to next: Mode, reason: String) {
        let previous = mode.withLock { state -> Mode in
            defer { state = next }
            return state
        }
        guard previous != next else { return }
        switch next {
        case .stalled:
            metrics.stalls.increment()
            logger.warning(
                "broker stalled; acknowledging batches from the spool until it confirms again",
                ["reason.text": "\(reason)", "stall.timeout_seconds": .seconds(detector.threshold)]
            )
        case .spooling:
            logger.warning("broker unavailable; acknowledging batches from the spool", ["reason.text": "\(reason)"])
        case .publishing:
            logger.notice("broker confirms batches again; publishing directly", ["reason.text": "\(reason)"])
        }
    }
}
