import AMQPClient
import Foundation
import Testing

@Suite("AMQP failure paths", .serialized, .needsRabbitMQ)
struct AMQPFailureTests {
    /// A loopback port with nothing listening.
    private func deadPort() throws -> Int {
        let port = try #require((5990...5999).first { !TestServers.isListening(host: "127.0.0.1", port: $0) })
        return port
    }

    @Test func publishToUnreachableBrokerFailsPromptly() async throws {
        let publisher = AMQPPublisher(
            configuration: AMQPTestSupport.configuration(port: try deadPort()),
            declarations: [],
            logger: AMQPTestSupport.logger
        )
        publisher.start()
        let started = ContinuousClock.now
        let error = try await #require(throws: AMQPError.self) {
            try await publisher.publish([OutgoingMessage(exchange: "", routingKey: "q", body: [], messageID: "1")])
        }
        #expect(error.code == .connectionFailed)
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(!publisher.isConnected)
        publisher.shutdown()
        await publisher.waitUntilStopped()
    }

    @Test func publishAfterShutdownThrowsShutdown() async throws {
        guard TestServers.rabbitAvailable() else { return }
        let publisher = AMQPPublisher(
            configuration: AMQPTestSupport.configuration(),
            declarations: [],
            logger: AMQPTestSupport.logger
        )
        publisher.start()
        #expect(try await AMQPTestSupport.eventually { publisher.isConnected })
        publisher.shutdown()
        await publisher.waitUntilStopped()
        #expect(!publisher.isConnected)
        let error = try await #require(throws: AMQPError.self) {
            try await publisher.publish([OutgoingMessage(exchange: "", routingKey: "q", body: [], messageID: "1")])
        }
        #expect(error.code == .shutdown)
    }

    @Test func conflictingDeclarationFailsCallsWithDeclarationFailed() async throws {
        guard TestServers.rabbitAvailable() else { return }
        let (_, queue, declarations) = AMQPTestSupport.topology()
        let first = AMQPPublisher(
            configuration: AMQPTestSupport.configuration(),
            declarations: declarations,
            logger: AMQPTestSupport.logger
        )
        first.start()
        defer { first.shutdown() }
        #expect(try await AMQPTestSupport.eventually { first.isConnected })

        let conflicting = AMQPPublisher(
            configuration: AMQPTestSupport.configuration(),
            declarations: [.queue(name: queue, durable: true, arguments: [:])],
            logger: AMQPTestSupport.logger
        )
        conflicting.start()
        defer { conflicting.shutdown() }
        let error = try await #require(throws: AMQPError.self) {
            try await conflicting.publish([OutgoingMessage(exchange: "", routingKey: queue, body: [], messageID: "1")])
        }
        #expect(error.code == .declarationFailed)
        #expect(error.replyCode == 406)
    }

    @Test func publishToMissingExchangeFailsWithChannelClosedAndRecovers() async throws {
        guard TestServers.rabbitAvailable() else { return }
        let (exchange, _, declarations) = AMQPTestSupport.topology()
        let publisher = AMQPPublisher(
            configuration: AMQPTestSupport.configuration(),
            declarations: declarations,
            logger: AMQPTestSupport.logger
        )
        publisher.start()
        defer { publisher.shutdown() }
        let error = try await #require(throws: AMQPError.self) {
            try await publisher.publish([
                OutgoingMessage(exchange: "no.such.exchange.\(UUID())", routingKey: "k", body: [], messageID: "1")
            ])
        }
        #expect(error.code == .channelClosed)
        #expect(error.replyCode == 404)
        try await publisher.publish([
            OutgoingMessage(exchange: exchange, routingKey: "events.x", body: [], messageID: "2")
        ])
    }

    @Test(arguments: [true, false])
    func runReturnsAfterStop(brokerReachable: Bool) async throws {
        if brokerReachable {
            guard TestServers.rabbitAvailable() else { return }
        }
        let (_, queue, declarations) = AMQPTestSupport.topology()
        let port = brokerReachable ? TestServers.rabbitPort : try deadPort()
        let consumer = AMQPConsumer(
            configuration: AMQPTestSupport.configuration(port: port),
            queue: queue,
            prefetch: 1,
            declarations: declarations,
            logger: AMQPTestSupport.logger
        ) { _ in .ack }
        let running = Task { try await consumer.run() }
        if brokerReachable {
            #expect(try await AMQPTestSupport.eventually { consumer.isConnected })
        } else {
            try await Task.sleep(for: .milliseconds(500))
            #expect(!consumer.isConnected)
        }
        consumer.stop()
        let stopped = ContinuousClock.now
        try await running.value
        #expect(ContinuousClock.now - stopped < .seconds(15))
        #expect(!consumer.isConnected)
    }
}
