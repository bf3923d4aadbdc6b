extension ConfirmingPublishChannel {
    /// Publishes every message of `window` back to back, then waits once for all their confirms (many messages
    /// in flight, one wait: the broker confirms in groups). Returns, per message, whether the broker confirmed
    /// storing it (false: nacked, or returned as unroutable). Throws `connectionClosed` when the connection fails
    /// or the confirms do not all arrive within `timeout`; the messages may then have been stored or not, and the
    /// channel is unusable.
    func publishWindow(_ window: [OutgoingMessage], timeout: Duration) throws(AMQPError) -> [Bool] {
        guard !window.isEmpty else { return [] }
        // The broker numbers this channel's messages from 1; the tracker numbers the window's from 1.
        let offset = nextTag - 1
        var tracker = ConfirmTracker<Int>()
        for (index, message) in window.enumerated() {
            let arena = AMQPArena()
            do throws(AMQPError) {
                try connection.publish(message, arena: arena)
            } catch {
                connection.markUnusable()
                throw error
            }
            nextTag += 1
            tracker.track(
                call: index,
                messageID: message.messageID,
                exchange: message.exchange,
                routingKey: message.routingKey
            )
        }
        var confirmed = [Bool](repeating: false, count: window.count)
        let deadline = ContinuousClock.now + timeout
        while tracker.hasOutstanding && ContinuousClock.now < deadline {
            guard let frame = try connection.nextFrame(timeout: min(.milliseconds(200), deadline - .now)) else {
                continue
            }
            let outcomes: [(Int, ConfirmTracker<Int>.Outcome)]
            switch frame {
            case .returned(let messageID, let exchange, let routingKey, let replyCode, let replyText):
                _ = tracker.returned(
                    messageID: messageID,
                    exchange: exchange,
                    routingKey: routingKey,
                    replyCode: replyCode,
                    replyText: replyText
                )
                continue
            case .ack(let tag, let multiple) where tag > offset:
                outcomes = tracker.ack(tag - offset, multiple: multiple)
            case .nack(let tag, let multiple) where tag > offset:
                outcomes = tracker.nack(tag - offset, multiple: multiple)
            default:
                continue
            }
            for (index, outcome) in outcomes {
                confirmed[index] = outcome == .confirmed
            }
        }
        guard !tracker.hasOutstanding else {
            connection.markUnusable()
            throw AMQPError(
                code: .connectionClosed,
                message: "no publisher confirm for every message of the window within \(timeout); they may or may "
                    + "not be stored"
            )
        }
        return confirmed
    }
}
