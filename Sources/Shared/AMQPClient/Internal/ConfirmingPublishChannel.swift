/// A connection in confirm mode that publishes one message at a time and waits for its confirm, for callers that
/// must not act until the broker owns the message (republish then ack, replay). One thread owns it.
///
/// The connection runs without heartbeats (it idles between messages and nobody services it meanwhile); a dead
/// socket shows up as a failed publish or a missing confirm, after which the object is unusable.
final class ConfirmingPublishChannel {
    let connection: AMQPConnection
    var nextTag: UInt64 = 1

    /// Opens a connection (no declarations) and enables publisher confirms.
    init(configuration: AMQPConfiguration) throws(AMQPError) {
        var settings = configuration
        settings.heartbeat = .zero
        connection = try AMQPConnection.open(settings, declarations: [])
        try connection.selectConfirms()
    }

    var isUsable: Bool { connection.isUsable }

    /// Publishes `message` and returns once the broker confirmed it. Throws `publishNacked`, `publishReturned`
    /// (mandatory and unroutable), or `connectionClosed` when the connection fails or no confirm arrives within
    /// `timeout` (the message may then have been delivered: the caller must treat it as not delivered).
    func publish(_ message: OutgoingMessage, timeout: Duration) throws(AMQPError) {
        let arena = AMQPArena()
        try connection.publish(message, arena: arena)
        let tag = nextTag
        nextTag += 1
        let deadline = ContinuousClock.now + timeout
        var returned: (code: UInt16, text: String)?
        while ContinuousClock.now < deadline {
            guard let frame = try connection.nextFrame(timeout: min(.milliseconds(200), deadline - .now)) else {
                continue
            }
            switch frame {
            case .returned(let messageID, _, _, let replyCode, let replyText) where messageID == message.messageID:
                returned = (replyCode, replyText)
            case .ack(let acked, let multiple) where acked == tag || (multiple && acked >= tag):
                guard let returned else { return }
                throw AMQPError(
                    code: .publishReturned,
                    message: "the broker could not route the message to \"\(message.routingKey)\" (exchange "
                        + "\"\(message.exchange)\"): declare the queue first",
                    replyCode: returned.code,
                    replyText: returned.text
                )
            case .nack(let nacked, let multiple) where nacked == tag || (multiple && nacked >= tag):
                throw AMQPError(
                    code: .publishNacked,
                    message: "the broker refused the message (basic.nack); it was not stored, try again later"
                )
            default:
                continue
            }
        }
        connection.markUnusable()
        throw AMQPError(
            code: .connectionClosed,
            message: "no publisher confirm within \(timeout); the message may or may not be stored"
        )
    }

    func close() {
        connection.close()
    }
}
