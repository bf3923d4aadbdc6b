import AMQPClient
import Foundation
import Synchronization
import Testing

/// A processor for the tests: holds every delivery, settles them all once `holdCount` are held (or on drain),
/// and pauses on demand. `Sendable` (its state is under a `Mutex`) so the test can watch it while the consumer
/// thread uses it.
final class HoldingProcessor: DeliveryProcessor, Sendable {
    private struct State {
        var held: [Delivery] = []
        var seen: [Delivery] = []
        var paused = false
        var lost = 0
    }

    let holdCount: Int
    let drainDisposition: Disposition
    private let state = Mutex(State())

    init(holdCount: Int, drainDisposition: Disposition) {
        self.holdCount = holdCount
        self.drainDisposition = drainDisposition
    }

    func process(_ delivery: Delivery) -> Disposition? {
        state.withLock {
            $0.held.append(delivery)
            $0.seen.append(delivery)
        }
        return nil
    }

    func poll() -> [Settlement] {
        state.withLock { state in
            guard state.held.count >= holdCount else { return [] }
            defer { state.held = [] }
            return state.held.map { Settlement(deliveryTag: $0.deliveryTag, disposition: .ack) }
        }
    }

    var isPaused: Bool { state.withLock { $0.paused } }

    func drain() -> [Settlement] {
        state.withLock { state in
            defer { state.held = [] }
            return state.held.map { Settlement(deliveryTag: $0.deliveryTag, disposition: drainDisposition) }
        }
    }

    func channelLost() {
        state.withLock { $0.lost += 1 }
    }

    func pause(_ value: Bool) { state.withLock { $0.paused = value } }
    var heldCount: Int { state.withLock { $0.held.count } }
    var seen: [Delivery] { state.withLock { $0.seen } }
}

@Suite("AMQP consumer with held deliveries", .serialized, .needsRabbitMQ)
struct AMQPHeldDeliveryTests {
    static func publish(_ count: Int, exchange: String, declarations: [AMQPDeclaration]) async throws {
        let publisher = AMQPPublisher(
            configuration: AMQPTestSupport.configuration(),
            declarations: declarations,
            logger: AMQPTestSupport.logger
        )
        publisher.start()
        defer { publisher.shutdown() }
        try await publisher.publish(
            (0..<count).map {
                OutgoingMessage(
                    exchange: exchange,
                    routingKey: "events.h",
                    body: Array("\($0)".utf8),
                    messageID: "h-\($0)"
                )
            }
        )
    }

    /// Acks whatever is left in `queue` with a plain consumer and returns it.
    static func leftOver(queue: String, declarations: [AMQPDeclaration], expected: Int) async throws -> [Delivery] {
        let log = DeliveryLog()
        let consumer = AMQPConsumer(
            configuration: AMQPTestSupport.configuration(),
            queue: queue,
            prefetch: 50,
            declarations: declarations,
            logger: AMQPTestSupport.logger
        ) { delivery in
            log.append(delivery)
            return .ack
        }
        let running = Task { try await consumer.run() }
        _ = try await AMQPTestSupport.eventually(timeout: .seconds(5)) { log.count >= expected }
        try await Task.sleep(for: .milliseconds(300))
        consumer.stop()
        try await running.value
        return log.all
    }

    @Test func heldDeliveriesAreAckedLaterOnTheConsumerThread() async throws {
        guard TestServers.rabbitAvailable() else { return }
        let (exchange, queue, declarations) = AMQPTestSupport.topology()
        try await Self.publish(30, exchange: exchange, declarations: declarations)
        let processor = HoldingProcessor(holdCount: 10, drainDisposition: .requeue)
        let consumer = AMQPConsumer(
            configuration: AMQPTestSupport.configuration(),
            queue: queue,
            prefetch: 10,
            declarations: declarations,
            logger: AMQPTestSupport.logger,
            makeProcessor: { processor }
        )
        let running = Task { try await consumer.run() }
        let all = try await AMQPTestSupport.eventually { processor.seen.count >= 30 && processor.heldCount == 0 }
        consumer.stop()
        try await running.value
        #expect(all)
        #expect(processor.seen.count == 30)
        #expect(try await Self.leftOver(queue: queue, declarations: declarations, expected: 0).isEmpty)
    }

    @Test func aPauseHandsHeldDeliveriesBackAndTakesNothingUntilItEnds() async throws {
        guard TestServers.rabbitAvailable() else { return }
        let (exchange, queue, declarations) = AMQPTestSupport.topology()
        try await Self.publish(5, exchange: exchange, declarations: declarations)
        let processor = HoldingProcessor(holdCount: 100, drainDisposition: .requeue)
        let consumer = AMQPConsumer(
            configuration: AMQPTestSupport.configuration(),
            queue: queue,
            prefetch: 20,
            declarations: declarations,
            logger: AMQPTestSupport.logger,
            makeProcessor: { processor }
        )
        let running = Task { try await consumer.run() }
        #expect(try await AMQPTestSupport.eventually { processor.heldCount == 5 })
        processor.pause(true)
        #expect(try await AMQPTestSupport.eventually { consumer.isPaused && !consumer.isConnected })
        #expect(processor.heldCount == 0)
        try await Self.publish(3, exchange: exchange, declarations: declarations)
        try await Task.sleep(for: .milliseconds(500))
        #expect(processor.seen.count == 5, "a paused consumer takes nothing")
        processor.pause(false)
        #expect(try await AMQPTestSupport.eventually { processor.heldCount == 8 })
        #expect(consumer.isConnected && !consumer.isPaused)
        #expect(processor.seen.filter(\.redelivered).count == 5)
        consumer.stop()
        try await running.value
        let redelivered = try await Self.leftOver(queue: queue, declarations: declarations, expected: 8)
        #expect(redelivered.count == 8, "stopping requeued the held deliveries")
    }

    @Test func stoppingSettlesWhatTheProcessorDrains() async throws {
        guard TestServers.rabbitAvailable() else { return }
        let (exchange, queue, declarations) = AMQPTestSupport.topology()
        try await Self.publish(4, exchange: exchange, declarations: declarations)
        let processor = HoldingProcessor(holdCount: 100, drainDisposition: .ack)
        let consumer = AMQPConsumer(
            configuration: AMQPTestSupport.configuration(),
            queue: queue,
            prefetch: 10,
            declarations: declarations,
            logger: AMQPTestSupport.logger,
            makeProcessor: { processor }
        )
        let running = Task { try await consumer.run() }
        #expect(try await AMQPTestSupport.eventually { processor.heldCount == 4 })
        consumer.stop()
        try await running.value
        #expect(try await Self.leftOver(queue: queue, declarations: declarations, expected: 0).isEmpty)
    }
}
