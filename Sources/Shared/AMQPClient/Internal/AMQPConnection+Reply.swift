import CRabbitMQ

extension AMQPConnection {
    /// Turns a failed RPC reply into an `AMQPError`; answers a broker close (close-ok) so the broker can free it.
    ///
    /// - serverCode: the code when the broker refused (channel.close or connection.close with a reply code).
    /// - libraryCode: the code when the library or the socket failed.
    func check(
        _ reply: amqp_rpc_reply_t,
        serverCode: AMQPError.Code,
        libraryCode: AMQPError.Code,
        _ action: String
    ) throws(AMQPError) {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            let close = brokerClose(reply.reply)
            throw AMQPError(
                code: serverCode,
                message: "broker refused to \(action)",
                replyCode: close?.code,
                replyText: close?.text
            )
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            markUnusable()
            throw AMQPError(
                code: libraryCode,
                message: "could not \(action): \(Self.errorText(reply.library_error))"
            )
        default:
            markUnusable()
            throw AMQPError(code: libraryCode, message: "could not \(action): the broker closed the socket")
        }
    }

    /// For a connection.close or channel.close method: marks the connection unusable, sends the matching
    /// close-ok, and returns the broker's reply code and text. Returns nil for any other method.
    func brokerClose(_ method: amqp_method_t) -> (code: UInt16, text: String)? {
        switch method.id {
        case AMQPMethod.connectionClose:
            markUnusable()
            let close = method.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            var ok = amqp_connection_close_ok_t()
            _ = amqp_send_method(state, 0, AMQPMethod.connectionCloseOk, &ok)
            return (close.reply_code, close.reply_text.string)
        case AMQPMethod.channelClose:
            markUnusable()
            let close = method.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            var ok = amqp_channel_close_ok_t()
            _ = amqp_send_method(state, channel, AMQPMethod.channelCloseOk, &ok)
            return (close.reply_code, close.reply_text.string)
        default:
            return nil
        }
    }
}
