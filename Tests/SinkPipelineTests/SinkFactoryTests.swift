import AMQPClient
import EventCore
import EventTopology
import Testing

@testable import ClickHouseClient
@testable import SinkPipeline

@Suite struct SinkFactoryTests {
    struct Fixture {
        let health: DatabaseHealth
        let breaker: CircuitBreaker
        let factory: SinkFactory

        init(queue: Topology.Queue, clickHousePort: Int = 1) throws {
            health = try SinkTestSupport.health()
            breaker = CircuitBreaker(queue: queue.name, health: health, logger: SinkTestSupport.logger)
            let registry = MetricsRegistry()
            factory = SinkFactory(
                queue: queue,
                table: QualifiedTable(database: try ClickHouseIdentifier("logs"), table: try ClickHouseIdentifier("t")),
                clickHouse: ClickHouseConfiguration(hosts: [.init(host: "127.0.0.1", port: clickHousePort)]),
                breaker: breaker,
                metrics: QueueMetrics(registry: registry, queue: queue.name),
                failureMetrics: FailureMetrics(registry: registry, queue: queue.name),
                retryDelay: .seconds(1),
                logger: SinkTestSupport.logger
            )
        }
    }

    static let directQueue = Topology.default.family(named: "analytics")!.queues[0]
    static let bufferedQueue = Topology.default.family(named: "logs")!.queues[0]

    /// The sink inside the metering wrapper that `make()` returns.
    static func sink(_ processor: any DeliveryProcessor) throws -> any DeliveryProcessor {
        try #require(processor as? MeteredProcessor).inner
    }

    @Test func aDirectQueueGetsADirectSinkAndEachCallANewOne() throws {
        let fixture = try Fixture(queue: Self.directQueue)
        let first = try Self.sink(fixture.factory.make())
        let second = try Self.sink(fixture.factory.make())
        let firstSink = try #require(first as? DirectSink)
        let secondSink = try #require(second as? DirectSink)
        #expect(firstSink !== secondSink, "every consumer gets its own sink and connection")
    }

    @Test func aBufferedQueueGetsABufferedSinkThatHoldsDeliveries() throws {
        let fixture = try Fixture(queue: Self.bufferedQueue)
        let processor = try fixture.factory.make()
        let sink = try #require(try Self.sink(processor) as? BufferedSink)
        #expect(processor.process(SinkTestSupport.delivery(tag: 1)) == nil)
        #expect(sink.heldMessages == 1)
    }

    @Test(arguments: [directQueue, bufferedQueue])
    func theProcessorPausesWithTheQueuesBreaker(queue: Topology.Queue) throws {
        let fixture = try Fixture(queue: queue)
        let processor = try fixture.factory.make()
        #expect(!processor.isPaused)
        fixture.health.record(check: 1, problem: "down")
        #expect(fixture.breaker.isOpen)
        #expect(processor.isPaused)
    }

    @Test func anUnusableClickHouseConfigurationFailsTheFactory() throws {
        let fixture = try Fixture(queue: Self.directQueue, clickHousePort: 0)
        let error = #expect(throws: ClickHouseError.self) { try fixture.factory.make() }
        #expect(error?.code == .invalidConfiguration)
    }
}
