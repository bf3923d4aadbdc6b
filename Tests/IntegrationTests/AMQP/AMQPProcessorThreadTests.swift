import AMQPClient
import Foundation
import Synchronization
import Testing

/// The thread of every call a processor received, with what the call was.
final class ThreadLog: Sendable {
    private let entries = Mutex<[String]>([])

    func record(_ call: String) {
        entries.withLock { $0.append("\(call)@\(Thread.current.name ?? "-")") }
    }

    var all: [String] { entries.withLock { $0 } }
}

/// Not `Sendable`, like the sinks: plain state without a lock, built and used on the consumer's thread only.
final class CountingProcessor: DeliveryProcessor {
    private let log: ThreadLog
    private(set) var processed = 0

    init(log: ThreadLog) {
        self.log = log
        log.record("make")
    }

    func process(_ delivery: Delivery) -> Disposition? {
        processed += 1
        log.record("process \(processed)")
        return .ack
    }
}

@Suite("AMQP consumer builds its processor on its thread", .serialized, .needsRabbitMQ)
struct AMQPProcessorThreadTests {
    @Test func theProcessorIsBuiltAndCalledOnTheConsumerThread() async throws {
        guard TestServers.rabbitAvailable() else { return }
        let (exchange, queue, declarations) = AMQPTestSupport.topology()
        try await AMQPHeldDeliveryTests.publish(3, exchange: exchange, declarations: declarations)
        let log = ThreadLog()
        let consumer = AMQPConsumer(
            configuration: AMQPTestSupport.configuration(),
            queue: queue,
            prefetch: 10,
            declarations: declarations,
            logger: AMQPTestSupport.logger,
            makeProcessor: { CountingProcessor(log: log) }
        )
        let running = Task { try await consumer.run() }
        let processed = try await AMQPTestSupport.eventually { log.all.count >= 4 }
        consumer.stop()
        try await running.value
        #expect(processed)
        #expect(log.all == ["make", "process 1", "process 2", "process 3"].map { $0 + "@amqp-consume" })
    }
}
