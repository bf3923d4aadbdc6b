import CRabbitMQ

extension AMQPConnection {
    /// Applies declarations in order. A mismatch with what exists (406 PRECONDITION_FAILED) or a missing
    /// exchange or queue in a binding (404) throws `declarationFailed` with the broker's reply.
    func declare(_ declarations: [AMQPDeclaration]) throws(AMQPError) {
        let arena = AMQPArena()
        for declaration in declarations {
            defer { arena.reset() }
            let ok: Bool
            switch declaration {
            case .exchange(let name, let type, let durable):
                ok =
                    amqp_exchange_declare(
                        state,
                        channel,
                        arena.bytes(name),
                        arena.bytes(type),
                        0,
                        durable ? 1 : 0,
                        0,
                        0,
                        eventgrpc_amqp_empty_table()
                    ) != nil
            case .queue(let name, let durable, let arguments):
                ok =
                    amqp_queue_declare(
                        state,
                        channel,
                        arena.bytes(name),
                        0,
                        durable ? 1 : 0,
                        0,
                        0,
                        arguments.cTable(in: arena)
                    ) != nil
            case .binding(let queue, let exchange, let routingKey):
                ok =
                    amqp_queue_bind(
                        state,
                        channel,
                        arena.bytes(queue),
                        arena.bytes(exchange),
                        arena.bytes(routingKey),
                        eventgrpc_amqp_empty_table()
                    ) != nil
            }
            if !ok {
                try check(
                    amqp_get_rpc_reply(state),
                    serverCode: .declarationFailed,
                    libraryCode: .connectionClosed,
                    "declare \(declaration) (fix the topology or delete the conflicting object)"
                )
            }
        }
    }

    /// Puts the channel in confirm mode: the broker then acks or nacks every publish, numbered from 1.
    func selectConfirms() throws(AMQPError) {
        if amqp_confirm_select(state, channel) == nil {
            try check(
                amqp_get_rpc_reply(state),
                serverCode: .protocolError,
                libraryCode: .connectionClosed,
                "enable publisher confirms"
            )
        }
    }
}
