import EventCore
import Synchronization

extension PublisherLoop {
    func handle(_ frame: InboundFrame) {
        switch frame {
        case .ack(let tag, let multiple):
            complete(tracker.ack(tag, multiple: multiple))
        case .nack(let tag, let multiple):
            complete(tracker.nack(tag, multiple: multiple))
        case .returned(let messageID, let exchange, let routingKey, let replyCode, let replyText):
            let matched = tracker.returned(
                messageID: messageID,
                exchange: exchange,
                routingKey: routingKey,
                replyCode: replyCode,
                replyText: replyText
            )
            if !matched {
                logger.warning(
                    "basic.return matched no message in flight",
                    [
                        "amqp.message_id": "\(messageID)", "amqp.exchange": "\(exchange)",
                        "amqp.routing_key": "\(routingKey)",
                    ]
                )
            }
        case .blocked(let reason):
            owner.withLock { $0.blockedReason = reason }
            logger.warning("broker blocked publishing (resource alarm)", ["amqp.reason": "\(reason)"])
        case .unblocked:
            owner.withLock { $0.blockedReason = nil }
            logger.notice("broker unblocked publishing")
        case .consumerCancelled, .other:
            logger.debug("ignored frame from broker", ["amqp.frame": "\(frame)"])
        }
    }

    /// After an ack or nack: the broker is not stalled (the clock restarts while messages remain outstanding,
    /// and stops when none does, before any caller is resumed); resumes the calls whose outcome became known. A
    /// call cancelled meanwhile was answered already (a confirm for it is counted as late: its caller may have
    /// kept a copy elsewhere).
    private func complete(_ outcomes: [(Int, ConfirmTracker<Int>.Outcome)]) {
        let outstanding = tracker.hasOutstanding
        var settledMessages: [Int: Int] = [:]
        for (id, _) in outcomes {
            settledMessages[id] = inFlight.removeValue(forKey: id)
        }
        let (answers, late) = owner.withLock { state in
            state.awaitingConfirmSince = outstanding ? .now : nil
            var answers: [(CheckedContinuation<Void, any Error>, ConfirmTracker<Int>.Outcome)] = []
            var late = 0
            for (id, outcome) in outcomes {
                if let continuation = state.waiting.removeValue(forKey: id) {
                    answers.append((continuation, outcome))
                } else if outcome == .confirmed {
                    late += settledMessages[id] ?? 0
                }
            }
            return (answers, late)
        }
        if late > 0 {
            publisher.lateConfirms.add(late, ordering: .relaxed)
        }
        for (continuation, outcome) in answers {
            switch outcome {
            case .confirmed:
                continuation.resume()
            case .nacked:
                continuation.resume(
                    throwing: AMQPError(
                        code: .publishNacked,
                        message: "the broker refused a message of this call (basic.nack); publish it again later "
                            + "or keep it in the spool"
                    )
                )
            case .returned(let replyCode, let replyText):
                continuation.resume(
                    throwing: AMQPError(
                        code: .publishReturned,
                        message: "the broker returned a mandatory message: no queue is bound for its exchange and "
                            + "routing key; add a binding for it to the topology",
                        replyCode: replyCode,
                        replyText: replyText
                    )
                )
            }
        }
    }

    /// Drops the connection, fails every call in flight and schedules the reconnect.
    func lost(_ error: AMQPError) {
        owner.assertOnOwnerThread()
        dropConnection()
        tracker = ConfirmTracker()
        let calls = inFlight.keys
        inFlight.removeAll()
        let failed = owner.withLock { state in state.shared.answer(calls) }
        nextAttempt = .now + (error.code == .channelClosed ? .zero : publisher.configuration.reconnectDelay)
        var metadata = Logger.Metadata.error(error)
        metadata["amqp.calls_failed"] = .int(failed.count)
        logger.warning("publisher lost its connection; reconnecting", metadata)
        let callError = AMQPError(
            code: error.code == .channelClosed ? .channelClosed : .connectionClosed,
            message: "the connection to the broker was lost before every message of this call was confirmed; they "
                + "may or may not have been delivered: publish them again",
            cause: error,
            replyCode: error.replyCode,
            replyText: error.replyText
        )
        for continuation in failed {
            continuation.resume(throwing: callError)
        }
    }

    /// Fails the calls waiting in the queue (while no connection can be opened, or at shutdown).
    func failQueued(_ error: AMQPError) {
        let queued = owner.withLock { state in
            defer { state.queue.removeAll() }
            return state.shared.answer(state.queue.map(\.id))
        }
        for continuation in queued {
            continuation.resume(throwing: error)
        }
    }
}
