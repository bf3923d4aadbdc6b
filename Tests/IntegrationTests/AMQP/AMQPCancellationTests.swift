import EventCore
import Foundation
import Testing

@testable import AMQPClient

/// Holds the publishing thread after it sent a round (before it reads the confirms) until the test opens it, so
/// that a call can be cancelled while its messages are in flight.
final class SendGate: Sendable {
    private let state = ConditionBox((held: 0, open: false))

    func hold() {
        state.update { $0.held += 1 }
        state.wait(until: .now + .seconds(20), for: { $0.open }, then: { _ in })
    }

    func open() {
        state.update { $0.open = true }
    }

    var held: Int { state.withLock { $0.held } }
}

@Suite("AMQP publish cancellation", .serialized, .needsRabbitMQ)
struct AMQPCancellationTests {
    /// How the broker settles the messages of the call that was cancelled in flight.
    enum Settlement: String, CaseIterable {
        case confirmed, nacked, returned, channelLost
    }

    static func messages(_ settlement: Settlement, exchange: String, rejectingQueue: String) -> [OutgoingMessage] {
        let (exchange, routingKey) =
            switch settlement {
            case .confirmed: (exchange, "events.a")
            case .nacked: ("", rejectingQueue)
            case .returned: (exchange, "nobody.home")
            case .channelLost: ("no.such.exchange.\(UUID())", "events.a")
            }
        return (1...2).map {
            OutgoingMessage(exchange: exchange, routingKey: routingKey, body: [UInt8($0)], messageID: "sent-\($0)")
        }
    }

    @Test(arguments: Settlement.allCases)
    func aCallCancelledInFlightReturnsAtOnceAndItsOutcomeIsIgnored(settlement: Settlement) async throws {
        guard TestServers.rabbitAvailable() else { return }
        let (exchange, queue, declarations) = AMQPTestSupport.topology()
        let rejectingQueue = queue + ".full"
        let allDeclarations =
            declarations + [
                .queue(
                    name: rejectingQueue,
                    durable: false,
                    arguments: ["x-max-length": .int64(0), "x-overflow": "reject-publish", "x-expires": .int64(60_000)]
                )
            ]
        let gate = SendGate()
        let publisher = AMQPPublisher(
            configuration: AMQPTestSupport.configuration(),
            declarations: allDeclarations,
            logger: AMQPTestSupport.logger,
            afterSending: { gate.hold() }
        )
        publisher.start()
        defer {
            gate.open()
            publisher.shutdown()
        }
        let messages = Self.messages(settlement, exchange: exchange, rejectingQueue: rejectingQueue)
        let call = Task { try await publisher.publish(messages) }
        #expect(try await AMQPTestSupport.eventually(timeout: .seconds(10)) { gate.held == 1 })
        #expect(publisher.status.awaitingConfirmSince != nil, "a round sent and not confirmed owes confirms")

        let cancelledAt = ContinuousClock.now
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(
            ContinuousClock.now - cancelledAt < .seconds(5),
            "the caller does not wait for the broker, which never answers here"
        )

        // The thread reads the settlement of the cancelled call, answers no one, and serves the next call.
        gate.open()
        let next = OutgoingMessage(exchange: exchange, routingKey: "events.b", body: [9], messageID: "next")
        try await publisher.publish([next])
        #expect(publisher.isConnected)
        #expect(publisher.owner.withLock { $0.waiting.isEmpty && $0.queue.isEmpty })
        #expect(publisher.status.awaitingConfirmSince == nil, "nothing is owed once every message is settled")
        #expect(
            publisher.lateConfirmedMessages == (settlement == .confirmed ? messages.count : 0),
            "a confirm nobody waited for is counted as a late (duplicate) copy; a refusal or loss is not"
        )

        let expected = settlement == .confirmed ? ["sent-1", "sent-2", "next"] : ["next"]
        let arrived = try await AMQPHeldDeliveryTests.leftOver(
            queue: queue,
            declarations: declarations,
            expected: expected.count
        )
        #expect(Set(arrived.compactMap(\.messageID)) == Set(expected), "a call in flight is not withdrawn")
    }
}
