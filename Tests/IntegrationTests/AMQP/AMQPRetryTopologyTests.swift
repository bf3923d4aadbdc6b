import AMQPClient
import EventTopology
import Foundation
import SinkPipeline
import Testing

/// The delayed-retry path and the DLQ replay against the real broker.
@Suite(.needsRabbitMQ) struct AMQPRetryTopologyTests {
    /// A topology with queue `Q` and a sibling bound to the same topic exchange with the same key.
    static func topology(
        delaysMilliseconds: [Int64] = [300, 600]
    )
        -> (topology: Topology, queue: Topology.Queue, sibling: String)
    {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let queue = Topology.Queue(
            name: "test.rt.q-\(suffix)",
            bindings: ["#"],
            consumers: 1,
            prefetch: 1,
            sink: .direct,
            table: "t",
            retry: RetryPolicy(delaysMilliseconds: delaysMilliseconds)
        )
        let sibling = Topology.Queue(
            name: "test.rt.sibling-\(suffix)",
            bindings: ["#"],
            consumers: 1,
            prefetch: 1,
            sink: .direct,
            table: "t"
        )
        let topology = Topology(
            exchange: .init(name: "test.rt.x-\(suffix)", type: "topic"),
            families: [.init(name: "f", database: "d", queues: [queue, sibling])]
        )
        return (topology, queue, sibling.name)
    }

    static func event(_ id: String) -> OutgoingMessage {
        OutgoingMessage(exchange: "", routingKey: "", body: Array(#"{"id":"\#(id)"}"#.utf8), messageID: id)
    }

    @Test func aRetriedMessageComesBackToItsQueueAloneWithItsCountAfterTheDelay() async throws {
        guard TestServers.rabbitAvailable() else { return }
        let (topology, queue, sibling) = Self.topology()
        let declarations = topology.amqpDeclarations(for: topology.families)
        let log = DeliveryLog()
        let consumer = AMQPConsumer(
            configuration: AMQPTestSupport.configuration(),
            queue: queue.name,
            prefetch: 1,
            declarations: declarations,
            logger: AMQPTestSupport.logger
        ) { delivery in
            log.append(delivery)
            guard log.count == 1 else { return .ack }
            return .republish(
                FailureRoute(delivery: delivery, queue: queue, failure: .insert, reason: "refused").message
            )
        }
        let running = Task { try await consumer.run() }
        defer { consumer.stop() }
        #expect(try await AMQPTestSupport.eventually { consumer.isConnected })

        var message = Self.event("retry-1")
        message.exchange = topology.exchange.name
        message.routingKey = "app.click"
        message.headers = ["trace": "t-1"]
        let client = AMQPBlockingClient(configuration: AMQPTestSupport.configuration())
        defer { client.close() }
        let published = ContinuousClock.now
        try client.publishConfirmed(message)

        #expect(try await AMQPTestSupport.eventually(timeout: .seconds(10)) { log.count == 2 })
        let elapsed = ContinuousClock.now - published
        let again = try #require(log.all.last)
        #expect(again.messageID == "retry-1")
        #expect(again.headers[DeadLetterHeaders.retryCount] == 1)
        #expect(again.headers["trace"] == "t-1")
        #expect(elapsed >= .milliseconds(300))
        // The sibling got the original publish once and never the retry.
        try await Task.sleep(for: .milliseconds(500))
        #expect(try client.readyMessageCount(queue: sibling) == 1)
        #expect(try client.readyMessageCount(queue: queue.retryQueue(1)) == 0)
        #expect(log.count == 2)
        consumer.stop()
        try await running.value
    }

    @Test func replayMovesEachMessageBackAfterItsCopyIsConfirmed() async throws {
        guard TestServers.rabbitAvailable() else { return }
        let (topology, queue, _) = Self.topology()
        let client = AMQPBlockingClient(configuration: AMQPTestSupport.configuration())
        defer { client.close() }
        try declare(topology)
        for index in 0..<5 {
            let delivery = Delivery(
                body: Array("{}".utf8),
                exchange: "",
                routingKey: queue.name,
                messageID: "dead-\(index)",
                headers: [DeadLetterHeaders.retryCount: 2],
                redelivered: false,
                deliveryTag: 1
            )
            try client.publishConfirmed(
                FailureRoute(delivery: delivery, queue: queue, failure: .insert, reason: "gone").message
            )
        }
        #expect(try client.readyMessageCount(queue: queue.deadLetterQueue) == 5)

        var reported: [Int] = []
        let first = try DeadLetterReplay(queue: queue, client: client).run(limit: 3) { done, total in
            #expect(total == 3)
            reported.append(done)
        }
        #expect(first == 3)
        #expect(reported == [3], "one window of 3, one confirm wait")
        #expect(try client.readyMessageCount(queue: queue.name) == 3)
        #expect(try client.readyMessageCount(queue: queue.deadLetterQueue) == 2)
        #expect(try DeadLetterReplay(queue: queue, client: client).run(limit: nil) == 2)
        #expect(try client.readyMessageCount(queue: queue.deadLetterQueue) == 0)

        var ids: [String] = []
        while let delivery = try client.get(queue: queue.name) {
            #expect(delivery.headers[DeadLetterHeaders.retryCount] == nil)
            #expect(delivery.headers[DeadLetterHeaders.reason] == nil)
            #expect(delivery.headers[DeadLetterHeaders.originQueue] == nil)
            ids.append(delivery.messageID ?? "")
            try client.ack(delivery)
        }
        #expect(ids.sorted() == (0..<5).map { "dead-\($0)" })
    }

    @Test func aReplayWhoseCopyIsNotConfirmedLeavesTheMessageInTheDLQ() throws {
        guard TestServers.rabbitAvailable() else { return }
        let (topology, queue, _) = Self.topology()
        let client = AMQPBlockingClient(configuration: AMQPTestSupport.configuration())
        defer { client.close() }
        // Only the DLQ exists: the copy to the origin queue is unroutable and returned, never confirmed as stored.
        try declare(topology, only: queue.deadLetterQueue)
        let delivery = Delivery(
            body: Array("{}".utf8),
            exchange: "",
            routingKey: queue.name,
            messageID: "kept",
            headers: [:],
            redelivered: false,
            deliveryTag: 1
        )
        try client.publishConfirmed(
            FailureRoute(delivery: delivery, queue: queue, failure: .decode, reason: "x").message
        )

        #expect {
            try DeadLetterReplay(queue: queue, client: client).run(limit: nil)
        } throws: { error in
            (error as? DeadLetterReplayError)?.replayed == 0
        }
        // The nack-requeue is asynchronous: the broker may answer the depth query before it is applied.
        var left = try client.readyMessageCount(queue: queue.deadLetterQueue)
        for _ in 0..<20 where left != 1 {
            Thread.sleep(forTimeInterval: 0.1)
            left = try client.readyMessageCount(queue: queue.deadLetterQueue)
        }
        #expect(left == 1)
        #expect(try client.readyMessageCount(queue: queue.name) == nil)
    }

    @Test func aMissingQueueHasNoDepthAndTheClientRecovers() throws {
        guard TestServers.rabbitAvailable() else { return }
        let client = AMQPBlockingClient(configuration: AMQPTestSupport.configuration())
        defer { client.close() }
        #expect(try client.readyMessageCount(queue: "test.rt.missing-\(UUID().uuidString)") == nil)
        let (topology, queue, _) = Self.topology()
        try declare(topology)
        #expect(try client.readyMessageCount(queue: queue.deadLetterQueue) == 0)
    }

    /// Declares the topology (or only the queue named `only`) the way a worker does, on a short-lived publisher.
    private func declare(_ topology: Topology, only: String? = nil) throws {
        var declarations = topology.amqpDeclarations(for: topology.families)
        if let only {
            declarations = declarations.filter { if case .queue(only, _, _) = $0 { true } else { false } }
        }
        let client = AMQPBlockingClient(configuration: AMQPTestSupport.configuration())
        defer { client.close() }
        try client.declare(declarations)
    }
}
