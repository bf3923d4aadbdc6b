import AMQPClient
import EventCore
import EventTopology
import Foundation
import Testing

@testable import ClickHouseClient
@testable import SinkPipeline

/// A buffered batch that the real ClickHouse refuses: an operator's CHECK-like column (`DEFAULT throwIf(...)`)
/// refuses any insert holding a poisoned id (code 395). The sink finds the refused message by bisection, writes
/// the others through the real `TableWriter`, and routes the refused one down the retry path.
@Suite(.needsClickHouse) struct BufferedSinkRefusalTests {
    typealias Support = ClickHouseTestSupport

    static func delivery(_ tag: UInt64, poisoned: Bool) -> Delivery {
        let events = (0..<3).map { index in
            #"{"id":"\#(poisoned && index == 1 ? "poison" : "ok")-\#(tag)-\#(index)","type":"log.trace","timestamp":1700000000000}"#
        }
        return Delivery(
            body: Array(#"{"header":{"sessionId":"s"},"events":[\#(events.joined(separator: ","))]}"#.utf8),
            exchange: "events",
            routingKey: "log.trace",
            messageID: "m-\(tag)",
            headers: [:],
            redelivered: false,
            deliveryTag: tag
        )
    }

    @Test func theRefusedMessageIsFoundAndEveryOtherRowLandsInSixInserts() throws {
        guard TestServers.clickHouseAvailable() else { return }
        try Support.withEventTable { connection, table in
            try connection.execute(
                "ALTER TABLE \(table) ADD COLUMN guard UInt8 DEFAULT throwIf(event_id LIKE 'poison-%')"
            )
            let registry = MetricsRegistry()
            let metrics = QueueMetrics(registry: registry, queue: "logs.trace")
            let health = DatabaseHealth(
                database: table.database,
                configuration: Support.configuration(),
                logger: Logger(label: "it", minimumLevel: .critical)
            )
            let logger = Logger(label: "it", minimumLevel: .critical)
            let breaker = CircuitBreaker(queue: "logs.trace", health: health, logger: logger)
            let queue = Topology.default.family(named: "logs")!.queues[0]
            let sink = BufferedSink(
                writer: TableWriter(
                    connection: try ClickHouseConnection(configuration: Support.configuration()),
                    table: table,
                    breaker: breaker,
                    metrics: metrics
                ),
                breaker: breaker,
                settings: .init(batchSize: 1000, batchAge: .seconds(60), maxMessages: 16, retryDelay: .seconds(1)),
                logger: logger,
                queue: queue,
                metrics: FailureMetrics(registry: registry, queue: queue.name)
            )
            for tag in 1...UInt64(16) {
                #expect(sink.process(Self.delivery(tag, poisoned: tag == 11)) == nil)
            }
            #expect(sink.poll().isEmpty, "ClickHouse refuses the whole batch")
            #expect(metrics.insertFailures.value == 1)
            health.record(check: 1, problem: nil)
            let settled = sink.poll()
            #expect(settled.count == 16)
            #expect(settled.filter { $0.disposition == .ack }.count == 15)
            guard case .republish(let copy)? = settled.first(where: { $0.deliveryTag == 11 })?.disposition else {
                Issue.record("the refused message must take the retry path")
                return
            }
            #expect(copy.routingKey == queue.retryQueue(1) && copy.messageID == "m-11")
            // [0,8) written, [8,12) refused, [8,10) written, [10,11) refused, [11,12) and [12,16) written.
            #expect(metrics.insertFailures.value == 3)
            #expect(metrics.rowsWritten.value == 45)
            #expect(try Support.count(connection, table, final: true) == 45)
            let poisoned = try connection.execute(
                "SELECT count() FROM \(table) WHERE event_id LIKE '%-11-%' FORMAT TSV"
            )
            #expect(String(decoding: poisoned, as: UTF8.self) == "0\n", "no row of the refused message landed")
        }
    }
}
