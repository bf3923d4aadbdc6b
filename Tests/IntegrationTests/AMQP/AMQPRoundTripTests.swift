import AMQPClient
import Foundation
import Testing

@Suite("AMQP publish and consume", .serialized, .needsRabbitMQ)
struct AMQPRoundTripTests {
    @Test func thousandMessagesInTenConcurrentCallsArriveIntact() async throws {
        guard TestServers.rabbitAvailable() else { return }
        let (exchange, queue, declarations) = AMQPTestSupport.topology()
        let publisher = AMQPPublisher(
            configuration: AMQPTestSupport.configuration(),
            declarations: declarations,
            logger: AMQPTestSupport.logger
        )
        publisher.start()
        defer { publisher.shutdown() }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for call in 0..<10 {
                let messages = (0..<100).map { index in
                    let n = call * 100 + index
                    return OutgoingMessage(
                        exchange: exchange,
                        routingKey: "events.app.\(call)",
                        body: Array("{\"n\":\(n)}".utf8),
                        messageID: "m-\(n)",
                        headers: ["n": .int64(Int64(n)), "src": "test", "ok": true, "r": 0.5]
                    )
                }
                group.addTask { try await publisher.publish(messages) }
            }
            try await group.waitForAll()
        }

        let log = DeliveryLog()
        let consumer = AMQPConsumer(
            configuration: AMQPTestSupport.configuration(),
            queue: queue,
            prefetch: 100,
            declarations: declarations,
            logger: AMQPTestSupport.logger
        ) { delivery in
            log.append(delivery)
            return .ack
        }
        let running = Task { try await consumer.run() }
        let gotAll = try await AMQPTestSupport.eventually { log.count >= 1000 }
        consumer.stop()
        try await running.value
        #expect(gotAll)

        let deliveries = log.all
        #expect(deliveries.count == 1000)
        #expect(Set(deliveries.compactMap(\.messageID)) == Set((0..<1000).map { "m-\($0)" }))
        for delivery in deliveries {
            let n = Int(try #require(delivery.messageID?.dropFirst(2)))!
            #expect(delivery.body == Array("{\"n\":\(n)}".utf8))
            #expect(delivery.headers == ["n": .int64(Int64(n)), "src": "test", "ok": true, "r": 0.5])
            #expect(delivery.contentType == "application/json")
            #expect(delivery.exchange == exchange)
            #expect(delivery.routingKey == "events.app.\(n / 100)")
            #expect(!delivery.redelivered)
        }
    }

    @Test func unroutableMandatoryPublishThrowsReturnedAndThePublisherKeepsWorking() async throws {
        guard TestServers.rabbitAvailable() else { return }
        let (exchange, _, declarations) = AMQPTestSupport.topology(bindingKey: "events.#")
        let publisher = AMQPPublisher(
            configuration: AMQPTestSupport.configuration(),
            declarations: declarations,
            logger: AMQPTestSupport.logger
        )
        publisher.start()
        defer { publisher.shutdown() }
        let routable = OutgoingMessage(exchange: exchange, routingKey: "events.a", body: [1], messageID: "ok-1")
        let unroutable = OutgoingMessage(exchange: exchange, routingKey: "nobody.home", body: [2], messageID: "lost-1")

        let error = try await #require(throws: AMQPError.self) {
            try await publisher.publish([routable, unroutable])
        }
        #expect(error.code == .publishReturned)
        #expect(error.replyCode == 312)

        try await publisher.publish([routable])
        #expect(publisher.isConnected)
    }

    @Test func requeuedDeliveryComesBackRedelivered() async throws {
        guard TestServers.rabbitAvailable() else { return }
        let (exchange, queue, declarations) = AMQPTestSupport.topology()
        let publisher = AMQPPublisher(
            configuration: AMQPTestSupport.configuration(),
            declarations: declarations,
            logger: AMQPTestSupport.logger
        )
        publisher.start()
        defer { publisher.shutdown() }
        try await publisher.publish([
            OutgoingMessage(exchange: exchange, routingKey: "events.r", body: Array("again".utf8), messageID: "r-1")
        ])

        let log = DeliveryLog()
        let consumer = AMQPConsumer(
            configuration: AMQPTestSupport.configuration(),
            queue: queue,
            prefetch: 1,
            declarations: declarations,
            logger: AMQPTestSupport.logger
        ) { delivery in
            log.append(delivery)
            return log.count == 1 ? .requeue : .ack
        }
        let running = Task { try await consumer.run() }
        let gotTwo = try await AMQPTestSupport.eventually { log.count >= 2 }
        // Give a wrongly repeated delivery a chance to show up before stopping.
        try await Task.sleep(for: .milliseconds(300))
        consumer.stop()
        try await running.value

        #expect(gotTwo)
        let deliveries = log.all
        #expect(deliveries.count == 2)
        #expect(deliveries.map(\.messageID) == ["r-1", "r-1"])
        #expect(deliveries.map(\.redelivered) == [false, true])
        #expect(deliveries.allSatisfy { $0.body == Array("again".utf8) })
    }
}
