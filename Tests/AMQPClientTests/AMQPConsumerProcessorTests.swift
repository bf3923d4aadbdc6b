import EventCore
import Foundation
import Synchronization
import Testing

@testable import AMQPClient

/// Where the consumer builds its processor, without a broker: the factory runs before the consumer connects.
@Suite("AMQP consumer processor factory", .timeLimit(.minutes(1)))
struct AMQPConsumerProcessorTests {
    struct FactoryFailure: Error, Equatable {}

    static func consumer(_ makeProcessor: @escaping @Sendable () throws -> any DeliveryProcessor) -> AMQPConsumer {
        AMQPConsumer(
            configuration: AMQPConfiguration(port: 1),
            queue: "q",
            prefetch: 1,
            declarations: [],
            logger: Logger(label: "amqp-test", minimumLevel: .critical),
            makeProcessor: makeProcessor
        )
    }

    @Test func theFactoryRunsOnTheConsumerThreadAndItsErrorEndsRun() async throws {
        let calls = Mutex<[String]>([])
        let consumer = Self.consumer {
            calls.withLock { $0.append(Thread.current.name ?? "-") }
            throw FactoryFailure()
        }
        await #expect(throws: FactoryFailure.self) { try await consumer.run() }
        #expect(calls.withLock { $0 } == ["amqp-consume"])
        #expect(!consumer.isConnected)
    }

    @Test func aConsumerStoppedBeforeRunNeverBuildsItsProcessor() async throws {
        let consumer = Self.consumer {
            Issue.record("a stopped consumer must not build a processor")
            throw FactoryFailure()
        }
        consumer.stop()
        try await consumer.run()
        #expect(!consumer.isConnected)
    }
}
