import CRabbitMQ
import EventCore

extension AMQPConnection {
    /// Sends one message (method, header and body frames). Its confirm arrives later through `nextFrame`.
    func publish(_ message: OutgoingMessage, arena: AMQPArena) throws(AMQPError) {
        var properties = amqp_basic_properties_t()
        var flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG
        properties.content_type = arena.bytes(message.contentType)
        properties.delivery_mode = message.persistent ? 2 : 1
        properties.message_id = arena.bytes(message.messageID)
        if !message.headers.isEmpty {
            flags |= AMQP_BASIC_HEADERS_FLAG
            properties.headers = message.headers.cTable(in: arena)
        }
        if let expiration = message.expiration {
            flags |= AMQP_BASIC_EXPIRATION_FLAG
            properties.expiration = arena.bytes(String(expiration.wholeMilliseconds))
        }
        properties._flags = amqp_flags_t(flags)
        let exchange = arena.bytes(message.exchange)
        let routingKey = arena.bytes(message.routingKey)
        let status = message.body.withUnsafeBytes { body in
            amqp_basic_publish(
                state,
                channel,
                exchange,
                routingKey,
                message.mandatory ? 1 : 0,
                0,
                &properties,
                eventgrpc_amqp_bytes(body.baseAddress, body.count)
            )
        }
        guard status == AMQP_STATUS_OK.rawValue else {
            markUnusable()
            throw AMQPError(
                code: .connectionClosed,
                message: "could not send a message to the broker (\(Self.errorText(status)))"
            )
        }
    }
}
