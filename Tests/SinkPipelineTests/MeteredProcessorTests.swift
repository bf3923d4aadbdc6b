import AMQPClient
import EventCore
import EventTopology
import Testing

@testable import SinkPipeline

@Suite struct MeteredProcessorTests {
    @Test func countsConsumedAndEverySettlementOnce() throws {
        let registry = MetricsRegistry()
        let metrics = QueueMetrics(registry: registry, queue: "logs.trace")
        let health = try SinkTestSupport.health()
        let writer = FakeRowWriter()
        let breaker = CircuitBreaker(queue: "logs.trace", health: health, logger: SinkTestSupport.logger)
        let sink = BufferedSink(
            writer: writer,
            breaker: breaker,
            settings: .init(batchSize: 4, batchAge: .seconds(60), maxMessages: 10, retryDelay: .seconds(1)),
            logger: SinkTestSupport.logger,
            queue: Topology.default.family(named: "logs")!.queues[0],
            metrics: SinkTestSupport.failureMetrics().0
        )
        let metered = MeteredProcessor(sink, metrics: metrics)
        #expect(metered.process(SinkTestSupport.delivery(tag: 1)) == nil)
        #expect(metered.process(SinkTestSupport.delivery(tag: 2, body: "{"))?.isRepublish == true)
        #expect(metered.process(SinkTestSupport.delivery(tag: 3)) == nil)
        #expect(metered.poll().count == 2)
        #expect(metered.process(SinkTestSupport.delivery(tag: 4)) == nil)
        writer.failing = true
        #expect(metered.drain() == [.init(deliveryTag: 4, disposition: .requeue)])
        #expect(metrics.consumed.value == 4)
        #expect(metrics.acked.value == 2)
        #expect(metrics.republished.value == 1)
        #expect(metrics.requeued.value == 1)
        #expect(registry.render().contains("eventgrpc_worker_messages_acked_total{queue=\"logs.trace\"} 2\n"))
    }
}
