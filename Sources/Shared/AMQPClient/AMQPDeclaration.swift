/// Something the broker must have before a publisher or consumer works. Declarations are applied in order,
/// idempotently (a declaration that matches what exists is a no-op), on every connect and reconnect.
public enum AMQPDeclaration: Sendable, Equatable {
    /// An exchange of `type` (`direct`, `topic`, `fanout`, `headers`).
    case exchange(name: String, type: String, durable: Bool)
    /// A queue; `arguments` carries `x-message-ttl`, `x-dead-letter-exchange`, `x-queue-type`, ...
    case queue(name: String, durable: Bool, arguments: AMQPTable)
    /// Binds `queue` to `exchange` with a routing key (a pattern for topic exchanges).
    case binding(queue: String, exchange: String, routingKey: String)
}

extension AMQPDeclaration: CustomStringConvertible {
    public var description: String {
        switch self {
        case .exchange(let name, let type, _): "exchange \(name) (\(type))"
        case .queue(let name, _, _): "queue \(name)"
        case .binding(let queue, let exchange, let routingKey): "binding \(exchange) -[\(routingKey)]-> \(queue)"
        }
    }
}
