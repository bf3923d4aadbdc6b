import Shared

/// All consumers of the worker's queues as one service: they run concurrently and stop together, each after
/// settling the delivery in hand.
struct ConsumerPool: Service {
    let name = "consumers"
    let consumers: [AMQPConsumer]

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for consumer in consumers {
                group.addTask { try await consumer.run() }
            }
            try await group.waitForAll()
        }
    }

    func shutdown() {
        consumers.forEach { $0.stop() }
    }
}
