import AMQPClient
import Foundation
import Synchronization
import Testing

/// Every call a processor received, with the thread it ran on: its identity (`pthread_self`) and the name the
/// kernel holds for it (`/proc/thread-self/comm`; Foundation's `Thread.current.name` was seen to report another
/// thread's name on Linux).
final class ThreadLog: Sendable {
    private let entries = Mutex<[(call: String, thread: UInt, name: String)]>([])

    func record(_ call: String) {
        let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "unreadable"
        let name = comm.trimmingCharacters(in: .whitespacesAndNewlines)
        entries.withLock { $0.append((call, UInt(pthread_self()), name)) }
    }

    var calls: [String] { entries.withLock { $0.map(\.call) } }
    var threads: Set<UInt> { entries.withLock { Set($0.map(\.thread)) } }
    var names: Set<String> { entries.withLock { Set($0.map(\.name)) } }
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
        let processed = try await AMQPTestSupport.eventually { log.calls.count >= 4 }
        consumer.stop()
        try await running.value
        #expect(processed)
        #expect(log.calls == ["make", "process 1", "process 2", "process 3"])
        #expect(log.threads.count == 1, "the processor is built and called on one thread")
        #expect(log.names == ["amqp-consume"], "that thread is the consumer's")
    }
}
