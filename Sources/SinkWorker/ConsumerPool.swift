import AMQPClient
import EventCore

/// All consumers of the worker's queues as one service: they run concurrently and stop together. On shutdown the
/// worker turns not-ready, and each consumer stops taking messages, flushes its batch, acks what was written and
/// leaves the rest unacknowledged for redelivery. Each consumer builds its sink on its own thread as it starts; a
/// sink that cannot be built ends that consumer's `run` with the error, which stops the pool (and the worker).
struct ConsumerPool: Service {
    let name = "consumers"
    let consumers: [AMQPConsumer]
    let readiness: Readiness

    /// When one consumer fails, the others are stopped gracefully (their batches flushed and acked) before the
    /// error is thrown; only the drain deadline cancels them.
    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for consumer in consumers {
                group.addTask { try await consumer.run() }
            }
            var firstError: (any Error)?
            while let result = await group.nextResult() {
                guard case .failure(let error) = result, firstError == nil else { continue }
                firstError = error
                for consumer in consumers { consumer.stop() }
            }
            if let firstError { throw firstError }
        }
    }

    func shutdown() {
        readiness.set(false)
        for consumer in consumers { consumer.stop() }
    }
}
