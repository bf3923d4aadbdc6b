import CRabbitMQ

extension AMQPConnection {
    /// The number of ready messages in `queue` (a passive declare: nothing is created), or nil when the queue
    /// does not exist. A missing queue makes the broker close the channel: the connection is unusable afterwards.
    func readyMessageCount(queue: String) throws(AMQPError) -> Int? {
        let arena = AMQPArena()
        if let ok = amqp_queue_declare(state, channel, arena.bytes(queue), 1, 0, 0, 0, eventgrpc_amqp_empty_table()) {
            return Int(ok.pointee.message_count)
        }
        do {
            try check(
                amqp_get_rpc_reply(state),
                serverCode: .channelClosed,
                libraryCode: .connectionClosed,
                "look up queue \(queue)"
            )
        } catch let error where error.replyCode == 404 {
            markUnusable()
            return nil
        }
        return nil
    }

    /// basic.get without auto-ack: the next ready message of `queue`, or nil when it is empty. The message stays
    /// unacknowledged on this channel until it is acked or nacked (or the connection closes, which requeues it).
    func get(queue: String) throws(AMQPError) -> Delivery? {
        amqp_maybe_release_buffers(state)
        let arena = AMQPArena()
        let reply = amqp_basic_get(state, channel, arena.bytes(queue), 0)
        try check(reply, serverCode: .channelClosed, libraryCode: .connectionClosed, "get a message from \(queue)")
        guard reply.reply.id == AMQPMethod.basicGetOk else { return nil }
        let ok = reply.reply.decoded.assumingMemoryBound(to: amqp_basic_get_ok_t.self).pointee
        let exchange = ok.exchange.string
        let routingKey = ok.routing_key.string
        var message = amqp_message_t()
        let read = amqp_read_message(state, channel, &message, 0)
        try check(read, serverCode: .channelClosed, libraryCode: .connectionClosed, "read a message from \(queue)")
        defer { amqp_destroy_message(&message) }
        return Delivery(
            message,
            exchange: exchange,
            routingKey: routingKey,
            redelivered: ok.redelivered != 0,
            deliveryTag: ok.delivery_tag
        )
    }

    /// basic.nack with `multiple` and requeue: every unacknowledged message up to `deliveryTag` goes back.
    func requeueAll(upTo deliveryTag: UInt64) throws(AMQPError) {
        let status = amqp_basic_nack(state, channel, deliveryTag, 1, 1)
        guard status == AMQP_STATUS_OK.rawValue else {
            markUnusable()
            throw AMQPError(
                code: .connectionClosed,
                message: "could not return messages to the queue (\(Self.errorText(status))); closing the "
                    + "connection returns them"
            )
        }
    }
}
