import CRabbitMQ
import EventCore

extension AMQPConnection {
    /// Limits unacknowledged deliveries on the channel to `prefetch`, then starts consuming `queue`.
    func startConsuming(queue: String, prefetch: UInt16) throws(AMQPError) {
        if amqp_basic_qos(state, channel, 0, prefetch, 0) == nil {
            try check(
                amqp_get_rpc_reply(state),
                serverCode: .channelClosed,
                libraryCode: .connectionClosed,
                "set prefetch \(prefetch)"
            )
        }
        let arena = AMQPArena()
        let ok = amqp_basic_consume(
            state,
            channel,
            arena.bytes(queue),
            eventgrpc_amqp_empty_bytes(),
            0,
            0,
            0,
            eventgrpc_amqp_empty_table()
        )
        if ok == nil {
            try check(
                amqp_get_rpc_reply(state),
                serverCode: .channelClosed,
                libraryCode: .connectionClosed,
                "consume from queue \(queue) (declare it first)"
            )
        }
    }

    /// Waits up to `timeout` for a delivery; nil on timeout or after a frame that is not a delivery.
    func nextDelivery(timeout: Duration) throws(AMQPError) -> Delivery? {
        amqp_maybe_release_buffers(state)
        var envelope = amqp_envelope_t()
        var wait = timeout.timeval
        let reply = amqp_consume_message(state, &envelope, &wait, 0)
        if reply.reply_type == AMQP_RESPONSE_NORMAL {
            defer { amqp_destroy_envelope(&envelope) }
            return Delivery(envelope)
        }
        if reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION {
            if reply.library_error == AMQP_STATUS_TIMEOUT.rawValue { return nil }
            if reply.library_error == AMQP_STATUS_UNEXPECTED_STATE.rawValue {
                // A method other than basic.deliver was put back; read it (a close throws here).
                if try nextFrame(timeout: configuration.connectTimeout) == .consumerCancelled {
                    markUnusable()
                    throw AMQPError(
                        code: .channelClosed,
                        message: "the broker cancelled the consumer (queue deleted?); it will resubscribe"
                    )
                }
                return nil
            }
        }
        try check(reply, serverCode: .connectionClosed, libraryCode: .connectionClosed, "receive a delivery")
        return nil
    }

    /// Applies the handler's verdict to a delivery.
    func settle(_ deliveryTag: UInt64, _ disposition: Disposition) throws(AMQPError) {
        let status =
            switch disposition {
            case .ack: amqp_basic_ack(state, channel, deliveryTag, 0)
            case .requeue: amqp_basic_nack(state, channel, deliveryTag, 0, 1)
            case .reject: amqp_basic_reject(state, channel, deliveryTag, 0)
            case .republish: preconditionFailure("the consumer loop settles a republish as ack or requeue")
            }
        guard status == AMQP_STATUS_OK.rawValue else {
            markUnusable()
            throw AMQPError(
                code: .connectionClosed,
                message: "could not \(disposition) delivery \(deliveryTag) (\(Self.errorText(status))); the broker "
                    + "will redeliver it"
            )
        }
    }
}

extension Delivery {
    /// Copies a rabbitmq-c envelope.
    init(_ envelope: amqp_envelope_t) {
        self.init(
            envelope.message,
            exchange: envelope.exchange.string,
            routingKey: envelope.routing_key.string,
            redelivered: envelope.redelivered != 0,
            deliveryTag: envelope.delivery_tag
        )
    }

    /// Copies a rabbitmq-c message (properties and body) delivered or got with these coordinates.
    init(_ message: amqp_message_t, exchange: String, routingKey: String, redelivered: Bool, deliveryTag: UInt64) {
        let properties = message.properties
        func has(_ flag: Int32) -> Bool { properties._flags & amqp_flags_t(flag) != 0 }
        self.init(
            body: message.body.array,
            exchange: exchange,
            routingKey: routingKey,
            messageID: has(AMQP_BASIC_MESSAGE_ID_FLAG) ? properties.message_id.string : nil,
            contentType: has(AMQP_BASIC_CONTENT_TYPE_FLAG) ? properties.content_type.string : nil,
            headers: has(AMQP_BASIC_HEADERS_FLAG) ? AMQPTable(properties.headers) : [:],
            redelivered: redelivered,
            deliveryTag: deliveryTag
        )
    }
}
