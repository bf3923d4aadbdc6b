import CRabbitMQ
import EventCore

/// A method frame from the broker that the publisher or consumer loop acts on.
enum InboundFrame: Equatable {
    case ack(deliveryTag: UInt64, multiple: Bool)
    case nack(deliveryTag: UInt64, multiple: Bool)
    /// A mandatory message the broker could not route (the content was read and matched by message id).
    case returned(messageID: String, exchange: String, routingKey: String, replyCode: UInt16, replyText: String)
    /// The broker stopped reading from this connection (resource alarm), with its reason.
    case blocked(reason: String)
    case unblocked
    /// The broker cancelled our consumer (its queue was deleted, for example).
    case consumerCancelled
    /// Anything else, by method id.
    case other(UInt32)
}

extension AMQPConnection {
    /// Waits up to `timeout` for the next method frame, servicing heartbeats meanwhile. Returns nil on timeout.
    /// Throws `connectionClosed` or `channelClosed` (with the broker's reply) when the connection is gone.
    func nextFrame(timeout: Duration) throws(AMQPError) -> InboundFrame? {
        amqp_maybe_release_buffers(state)
        var frame = amqp_frame_t()
        var wait = timeout.timeval
        let status = amqp_simple_wait_frame_noblock(state, &frame, &wait)
        if status == AMQP_STATUS_TIMEOUT.rawValue { return nil }
        guard status == AMQP_STATUS_OK.rawValue else {
            markUnusable()
            throw AMQPError(
                code: .connectionClosed,
                message: "lost the connection to the broker (\(Self.errorText(status))); it will be reopened"
            )
        }
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { return .other(0) }
        let method = frame.payload.method
        if let close = brokerClose(method) {
            let isChannel = method.id == AMQPMethod.channelClose
            throw AMQPError(
                code: isChannel ? .channelClosed : .connectionClosed,
                message: "the broker closed the \(isChannel ? "channel" : "connection"); it will be reopened",
                replyCode: close.code,
                replyText: close.text
            )
        }
        switch method.id {
        case AMQPMethod.basicAck:
            let ack = method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            return .ack(deliveryTag: ack.delivery_tag, multiple: ack.multiple != 0)
        case AMQPMethod.basicNack:
            let nack = method.decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            return .nack(deliveryTag: nack.delivery_tag, multiple: nack.multiple != 0)
        case AMQPMethod.basicReturn:
            let info = method.decoded.assumingMemoryBound(to: amqp_basic_return_t.self).pointee
            let replyCode = info.reply_code
            let replyText = info.reply_text.string
            let exchange = info.exchange.string
            let routingKey = info.routing_key.string
            return .returned(
                messageID: try readReturnedMessageID(channel: frame.channel),
                exchange: exchange,
                routingKey: routingKey,
                replyCode: replyCode,
                replyText: replyText
            )
        case AMQPMethod.connectionBlocked:
            let blocked = method.decoded.assumingMemoryBound(to: amqp_connection_blocked_t.self).pointee
            return .blocked(reason: blocked.reason.string)
        case AMQPMethod.connectionUnblocked:
            return .unblocked
        case AMQPMethod.basicCancel:
            return .consumerCancelled
        default:
            return .other(method.id)
        }
    }

    /// Reads the header and body that follow a basic.return; returns the message id ("" when absent).
    private func readReturnedMessageID(channel: amqp_channel_t) throws(AMQPError) -> String {
        var message = amqp_message_t()
        let reply = amqp_read_message(state, channel, &message, 0)
        try check(reply, serverCode: .connectionClosed, libraryCode: .connectionClosed, "read a returned message")
        defer { amqp_destroy_message(&message) }
        let hasID = message.properties._flags & amqp_flags_t(AMQP_BASIC_MESSAGE_ID_FLAG) != 0
        return hasID ? message.properties.message_id.string : ""
    }
}
