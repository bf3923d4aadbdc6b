import AMQPClient
import EventTopology
import Foundation
import SinkPipeline
import Testing

/// `dlq replay` in confirm windows against the real broker: every message restored exactly once, a nacked copy
/// leaves its message in the DLQ, the class filter, the dry run and the rate cap.
@Suite(.needsRabbitMQ) struct DeadLetterReplayWindowTests {
    /// Dead-letters `count` messages (`dead-0`...) into `queue`'s DLQ, `classes` in turn, in one window.
    static func deadLetter(
        _ count: Int,
        into queue: Topology.Queue,
        classes: [SinkFailure] = [.insert],
        client: AMQPBlockingClient
    ) throws {
        let copies = (0..<count).map { index in
            let delivery = Delivery(
                body: Array(#"{"n":\#(index)}"#.utf8),
                exchange: "",
                routingKey: queue.name,
                messageID: "dead-\(index)",
                headers: [:],
                redelivered: false,
                deliveryTag: 1
            )
            return FailureRoute(delivery: delivery, queue: queue, failure: classes[index % classes.count], reason: "x")
                .message
        }
        #expect(try client.publishConfirmed(window: copies).allSatisfy { $0 })
    }

    /// Takes every message of `queue` (acked) and returns their ids.
    static func drain(_ queue: String, client: AMQPBlockingClient) throws -> [String] {
        var ids: [String] = []
        while let delivery = try client.get(queue: queue) {
            ids.append(delivery.messageID ?? "")
            try client.ack(delivery)
        }
        return ids
    }

    /// The depth once the broker applied asynchronous requeues (a depth query may overtake a nack).
    static func settledDepth(_ queue: String, expected: Int, client: AMQPBlockingClient) throws -> Int? {
        var depth = try client.readyMessageCount(queue: queue)
        for _ in 0..<30 where depth != expected {
            Thread.sleep(forTimeInterval: 0.1)
            depth = try client.readyMessageCount(queue: queue)
        }
        return depth
    }

    @Test func windowsRestoreEveryMessageExactlyOnce() throws {
        guard TestServers.rabbitAvailable() else { return }
        let (topology, queue, _) = AMQPRetryTopologyTests.topology(delaysMilliseconds: [])
        let client = AMQPBlockingClient(configuration: AMQPTestSupport.configuration())
        defer { client.close() }
        try client.declare(topology.amqpDeclarations(for: topology.families))
        try Self.deadLetter(1200, into: queue, client: client)
        var reported: [Int] = []
        let moved = try DeadLetterReplay(queue: queue, client: client).run(
            DeadLetterReplay.Options(window: 500),
            progress: { done, total in
                #expect(total == 1200)
                reported.append(done)
            }
        )
        #expect(moved == 1200)
        #expect(reported == [500, 1000, 1200], "one confirm wait per window")
        #expect(try Self.settledDepth(queue.deadLetterQueue, expected: 0, client: client) == 0)
        let ids = try Self.drain(queue.name, client: client)
        #expect(ids.count == 1200 && Set(ids) == Set((0..<1200).map { "dead-\($0)" }))
    }

    @Test func aNackInAWindowLeavesThoseMessagesInTheDLQ() throws {
        guard TestServers.rabbitAvailable() else { return }
        let (topology, queue, _) = AMQPRetryTopologyTests.topology(delaysMilliseconds: [])
        let client = AMQPBlockingClient(configuration: AMQPTestSupport.configuration())
        defer { client.close() }
        // The origin queue holds 2 messages and nacks further publishes (x-overflow reject-publish).
        let declarations = topology.amqpDeclarations(for: topology.families).map { declaration in
            guard case .queue(queue.name, let durable, var arguments) = declaration else { return declaration }
            arguments["x-max-length"] = .int64(2)
            arguments["x-overflow"] = .string("reject-publish")
            return .queue(name: queue.name, durable: durable, arguments: arguments)
        }
        try client.declare(declarations)
        try Self.deadLetter(5, into: queue, client: client)
        #expect {
            try DeadLetterReplay(queue: queue, client: client).run(DeadLetterReplay.Options(window: 5))
        } throws: { error in
            (error as? DeadLetterReplayError)?.replayed == 2
        }
        #expect(try Self.settledDepth(queue.deadLetterQueue, expected: 3, client: client) == 3)
        let stored = try Self.drain(queue.name, client: client)
        let left = try Self.drain(queue.deadLetterQueue, client: client)
        #expect(stored.count == 2 && left.count == 3)
        #expect(Set(stored + left) == Set((0..<5).map { "dead-\($0)" }), "every message in exactly one queue")
    }

    @Test func theClassFilterMovesOnlyThatClassAndLeavesTheRestInOrder() throws {
        guard TestServers.rabbitAvailable() else { return }
        let (topology, queue, _) = AMQPRetryTopologyTests.topology(delaysMilliseconds: [])
        let client = AMQPBlockingClient(configuration: AMQPTestSupport.configuration())
        defer { client.close() }
        try client.declare(topology.amqpDeclarations(for: topology.families))
        try Self.deadLetter(10, into: queue, classes: [.insert, .decode], client: client)
        let moved = try DeadLetterReplay(queue: queue, client: client)
            .run(DeadLetterReplay.Options(reasonClass: "insert", window: 3))
        #expect(moved == 5)
        #expect(try Self.settledDepth(queue.deadLetterQueue, expected: 5, client: client) == 5)
        #expect(try Self.drain(queue.name, client: client).sorted() == [0, 2, 4, 6, 8].map { "dead-\($0)" })
        #expect(try Self.drain(queue.deadLetterQueue, client: client) == [1, 3, 5, 7, 9].map { "dead-\($0)" })
    }

    @Test func aDryRunReportsAndChangesNothing() throws {
        guard TestServers.rabbitAvailable() else { return }
        let (topology, queue, _) = AMQPRetryTopologyTests.topology(delaysMilliseconds: [])
        let client = AMQPBlockingClient(configuration: AMQPTestSupport.configuration())
        defer { client.close() }
        try client.declare(topology.amqpDeclarations(for: topology.families))
        try Self.deadLetter(7, into: queue, client: client)
        var seen: [String] = []
        let selected = try DeadLetterReplay(queue: queue, client: client).run(
            DeadLetterReplay.Options(limit: 5, window: 2, dryRun: true),
            selected: { seen.append($0.messageID ?? "") }
        )
        #expect(selected == 5 && seen == (0..<5).map { "dead-\($0)" })
        #expect(try Self.settledDepth(queue.deadLetterQueue, expected: 7, client: client) == 7)
        #expect(try client.readyMessageCount(queue: queue.name) == 0)
    }

    @Test func theRateCapSpreadsTheReplayOverTime() throws {
        guard TestServers.rabbitAvailable() else { return }
        let (topology, queue, _) = AMQPRetryTopologyTests.topology(delaysMilliseconds: [])
        let client = AMQPBlockingClient(configuration: AMQPTestSupport.configuration())
        defer { client.close() }
        try client.declare(topology.amqpDeclarations(for: topology.families))
        try Self.deadLetter(30, into: queue, client: client)
        let started = ContinuousClock.now
        #expect(try DeadLetterReplay(queue: queue, client: client).run(DeadLetterReplay.Options(rate: 50)) == 30)
        // 30 messages at 50/s: the last window is due after at least 0.5 s (windows of 5, ten a second).
        #expect(ContinuousClock.now - started >= .milliseconds(500))
        #expect(try Self.drain(queue.name, client: client).count == 30)
    }
}
