import CRabbitMQ
import Foundation

/// The broker's ceiling for the gateway's publish path: one rabbitmq-c connection with confirms, publishing
/// `group` batches (every message of each) and then waiting for all their confirms, again and again. That is the
/// gateway's grouping: its publisher thread takes the calls its `EVENT_WORKER_POOL_SIZE` workers queued, publishes
/// them all, and waits once. Nothing else happens on the path, so its rate is what the broker allows.
struct RawProducer {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct Result {
        var batches = 0
        var messages = 0
        var elapsed: Duration = .zero
        /// Time from a group's first publish to its last confirm, per group.
        var groupLatencies: [Duration] = []
    }

    let host: String
    let port: Int32
    let user: String
    let password: String
    let exchange: String
    let routingKeys: [String]
    let bodies: [[UInt8]]
    let group: Int

    func run(for duration: Duration) throws -> Result {
        guard let state = amqp_new_connection() else { throw Failure(description: "amqp_new_connection failed") }
        defer { amqp_destroy_connection(state) }
        guard let socket = amqp_tcp_socket_new(state), amqp_socket_open(socket, host, port) == 0 else {
            throw Failure(description: "cannot connect to RabbitMQ at \(host):\(port); is the stack running?")
        }
        try check(eventgrpc_amqp_login_plain(state, "/", 0, 131_072, 0, user, password), "login")
        amqp_channel_open(state, 1)
        try check(amqp_get_rpc_reply(state), "channel.open")
        amqp_confirm_select(state, 1)
        try check(amqp_get_rpc_reply(state), "confirm.select")
        defer {
            _ = amqp_channel_close(state, 1, Int32(AMQP_REPLY_SUCCESS))
            _ = amqp_connection_close(state, Int32(AMQP_REPLY_SUCCESS))
        }

        var result = Result()
        let clock = ContinuousClock()
        let start = clock.now
        var sequence: UInt64 = 0
        while clock.now - start < duration {
            let groupStart = clock.now
            for _ in 0..<group {
                for index in bodies.indices {
                    sequence += 1
                    try publish(state, routingKey: routingKeys[index], body: bodies[index], id: "raw-\(sequence)")
                }
            }
            try awaitConfirms(state, tags: Set((sequence - UInt64(group * bodies.count) + 1)...sequence))
            result.groupLatencies.append(clock.now - groupStart)
            result.batches += group
            result.messages += group * bodies.count
        }
        result.elapsed = clock.now - start
        return result
    }

    private func publish(_ state: amqp_connection_state_t, routingKey: String, body: [UInt8], id: String) throws {
        var properties = amqp_basic_properties_t()
        properties._flags = amqp_flags_t(
            AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG
        )
        let status = "application/json".withCString { contentType in
            id.withCString { messageID in
                exchange.withCString { exchangeName in
                    routingKey.withCString { key in
                        properties.content_type = eventgrpc_amqp_bytes(contentType, strlen(contentType))
                        properties.delivery_mode = 2
                        properties.message_id = eventgrpc_amqp_bytes(messageID, strlen(messageID))
                        return body.withUnsafeBytes { bytes in
                            amqp_basic_publish(
                                state,
                                1,
                                eventgrpc_amqp_bytes(exchangeName, strlen(exchangeName)),
                                eventgrpc_amqp_bytes(key, strlen(key)),
                                1,
                                0,
                                &properties,
                                eventgrpc_amqp_bytes(bytes.baseAddress, bytes.count)
                            )
                        }
                    }
                }
            }
        }
        guard status == AMQP_STATUS_OK.rawValue else {
            throw Failure(description: "basic.publish failed: \(String(cString: amqp_error_string2(status)))")
        }
    }

    /// Reads frames until the broker confirmed every delivery tag in `tags` (acks may come out of order or with
    /// `multiple`); a nack or a return is a failure (the bench measures kept promises only).
    private func awaitConfirms(_ state: amqp_connection_state_t, tags: Set<UInt64>) throws {
        var outstanding = tags
        while !outstanding.isEmpty {
            var frame = amqp_frame_t()
            let status = amqp_simple_wait_frame(state, &frame)
            guard status == AMQP_STATUS_OK.rawValue else {
                throw Failure(
                    description: "waiting for confirms failed: \(String(cString: amqp_error_string2(status)))"
                )
            }
            guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { continue }
            switch frame.payload.method.id {
            case AMQP_BASIC_ACK_METHOD:
                let ack = frame.payload.method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
                if ack.multiple != 0 {
                    outstanding = outstanding.filter { $0 > ack.delivery_tag }
                } else {
                    outstanding.remove(ack.delivery_tag)
                }
            case AMQP_BASIC_NACK_METHOD:
                throw Failure(description: "the broker nacked a message")
            case AMQP_BASIC_RETURN_METHOD:
                throw Failure(description: "the broker returned a message: no queue is bound for its routing key")
            case AMQP_CHANNEL_CLOSE_METHOD, AMQP_CONNECTION_CLOSE_METHOD:
                throw Failure(description: "the broker closed the channel (does exchange '\(exchange)' exist?)")
            default:
                continue
            }
        }
    }

    private func check(_ reply: amqp_rpc_reply_t, _ what: String) throws {
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else {
            throw Failure(description: "\(what) failed (reply type \(reply.reply_type.rawValue))")
        }
    }
}
