import AMQPClient
import EventCore

/// All consumers of the worker's queues as one service: they run concurrently and stop together. On shutdown the
/// worker turns not-ready, and each consumer stops taking messages, flushes its batch, acks what was written and
/// leaves the rest unacknowledged for redelivery. Each consumer builds its sink on its own thread as it starts; a
/// sink that cannot be built ends that consumer's `run` with the error, which stops the pool (and the worker).
///
/// Before consuming, the pool runs `prepare` (the schema, which waits while ClickHouse is unreachable) as part of
/// the running worker, so the admin endpoint answers meanwhile (heartbeat 410, metrics) and SIGTERM ends the wait.
struct ConsumerPool: Service {
    let name = "consumers"
    let consumers: [AMQPConsumer]
    let readiness: Readiness
    let prepare: @Sendable () async throws -> Void
    private let stopRequested = Latch()

    init(consumers: [AMQPConsumer], readiness: Readiness, prepare: @escaping @Sendable () async throws -> Void) {
        self.consumers = consumers
        self.readiness = readiness
        self.prepare = prepare
    }

    /// When one consumer fails, the others are stopped gracefully (their batches flushed and acked) before the
    /// error is thrown; only the drain deadline cancels them.
    func run() async throws {
        guard try await prepared() else { return }
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

    /// Runs `prepare` until it is done or a stop is requested (which cancels it); true when consuming should
    /// start.
    private func prepared() async throws -> Bool {
        let done = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await prepare()
                return true
            }
            group.addTask {
                await stopRequested.wait()
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        return done && !stopRequested.isOpen
    }

    func shutdown() {
        readiness.set(false)
        stopRequested.open()
        for consumer in consumers { consumer.stop() }
    }
}
