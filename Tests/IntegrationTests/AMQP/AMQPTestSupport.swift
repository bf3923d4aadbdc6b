import AMQPClient
import EventCore
import Foundation
import Synchronization

/// Broker settings, unique names and small helpers shared by the AMQP integration tests.
enum AMQPTestSupport {
    static func configuration(port: Int = TestServers.rabbitPort) -> AMQPConfiguration {
        AMQPConfiguration(
            host: TestServers.rabbitHost,
            port: port,
            user: TestServers.rabbitUser,
            password: TestServers.rabbitPassword,
            connectTimeout: .seconds(2),
            reconnectDelay: .milliseconds(300)
        )
    }

    static let logger = Logger(label: "amqp-test", minimumLevel: .error)

    /// A topic exchange, a queue that expires a minute after its last use, and a binding `key`, all unique.
    static func topology(
        bindingKey: String = "events.#",
        durable: Bool = false
    )
        -> (exchange: String, queue: String, declarations: [AMQPDeclaration])
    {
        let suffix = UUID().uuidString.prefix(8)
        let exchange = "test.x.\(suffix)"
        let queue = "test.q.\(suffix)"
        return (
            exchange, queue,
            [
                .exchange(name: exchange, type: "topic", durable: durable),
                .queue(name: queue, durable: durable, arguments: ["x-expires": .int64(60_000)]),
                .binding(queue: queue, exchange: exchange, routingKey: bindingKey),
            ]
        )
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
    static func eventually(timeout: Duration = .seconds(20), _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }
}

/// Deliveries seen by a consumer's handler (called on the consumer thread).
final class DeliveryLog: Sendable {
    private let deliveries = Mutex<[Delivery]>([])

    func append(_ delivery: Delivery) {
        deliveries.withLock { $0.append(delivery) }
    }

    var all: [Delivery] { deliveries.withLock { $0 } }
    var count: Int { deliveries.withLock { $0.count } }
}
