public import AMQPClient
public import EventCore

extension Topology {
    /// Dead-lettered messages stay this long in `Q.dlq` (24 h).
    public static let deadLetterTTLMilliseconds: Int64 = 24 * 3600 * 1000
    /// At most this many messages per `Q.dlq`; the oldest go first beyond it.
    public static let deadLetterMaxLength: Int64 = 1_000_000

    /// The idempotent declarations for `families`: the exchange, then per queue its dead-letter queue, the queue
    /// (whose rejected messages the broker moves to the dead-letter queue), its retry queues and its bindings.
    /// Both binaries apply them on every (re)connect, with identical arguments, so neither depends on the other
    /// having run.
    ///
    /// A retry queue `Q.retry.n` has no consumer: each message carries its own `expiration`, and on expiry the
    /// broker dead-letters it through the default exchange with routing key `Q`, so it reaches `Q` alone and
    /// never a sibling queue bound to the same topic exchange. One queue per step keeps a long delay from holding
    /// back a short one (the broker expires messages only at the head of a queue).
    public func amqpDeclarations(for families: [Family]) -> [AMQPDeclaration] {
        var declarations: [AMQPDeclaration] = [.exchange(name: exchange.name, type: exchange.type, durable: true)]
        for queue in families.flatMap(\.queues) {
            declarations.append(
                .queue(
                    name: queue.deadLetterQueue,
                    durable: true,
                    arguments: [
                        "x-message-ttl": .int64(Self.deadLetterTTLMilliseconds),
                        "x-max-length": .int64(Self.deadLetterMaxLength),
                    ]
                )
            )
            declarations.append(
                .queue(
                    name: queue.name,
                    durable: true,
                    arguments: [
                        "x-dead-letter-exchange": .string(""),
                        "x-dead-letter-routing-key": .string(queue.deadLetterQueue),
                    ]
                )
            )
            for number in 0..<queue.retry.maximumRetries {
                declarations.append(
                    .queue(
                        name: queue.retryQueue(number + 1),
                        durable: true,
                        arguments: [
                            "x-dead-letter-exchange": .string(""),
                            "x-dead-letter-routing-key": .string(queue.name),
                        ]
                    )
                )
            }
            for pattern in queue.bindings {
                declarations.append(.binding(queue: queue.name, exchange: exchange.name, routingKey: pattern))
            }
        }
        return declarations
    }
}

extension AMQPConfiguration {
    /// The broker address and credentials from the environment (`RABBIT_*`).
    public init(servers: ServerAddresses) {
        self.init()
        host = servers.rabbitHost
        port = servers.rabbitPort
        user = servers.rabbitUser
        password = servers.rabbitPassword
        vhost = servers.rabbitVhost
        tls = servers.rabbitTLS
    }
}
