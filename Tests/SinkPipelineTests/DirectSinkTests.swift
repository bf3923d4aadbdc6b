import AMQPClient
import EventCore
import EventTopology
import Foundation
import Testing

@testable import ClickHouseClient
@testable import SinkPipeline

@Suite struct DirectSinkTests {
    struct Fixture {
        let writer = FakeRowWriter()
        let health: DatabaseHealth
        let breaker: CircuitBreaker
        let registry = MetricsRegistry()
        let queue = Topology.default.family(named: "analytics")!.queues[0]
        let sink: DirectSink

        init() throws {
            health = try SinkTestSupport.health()
            breaker = CircuitBreaker(queue: queue.name, health: health, logger: SinkTestSupport.logger)
            sink = DirectSink(
                writer: writer,
                breaker: breaker,
                queue: queue,
                outageDelay: .zero,
                metrics: FailureMetrics(registry: registry, queue: queue.name),
                logger: SinkTestSupport.logger,
                now: { Date(timeIntervalSince1970: 1_700_000_000) }
            )
        }

        func deadLettered(_ reason: String) -> String? {
            registry.render().split(separator: "\n").first {
                $0.hasPrefix("eventgrpc_worker_messages_dead_lettered_total{") && $0.contains("reason=\"\(reason)\"")
            }.map { String($0.split(separator: " ").last ?? "") }
        }
    }

    static let mixed = """
        {"calls":[{"header":{"sessionId":"s1"},"receivedAt":1700000000001,"events":[
        {"id":"a","timestamp":1700000000000},{"id":"","timestamp":1700000000000}]},
        {"header":{"sessionId":"s2"},"receivedAt":1700000000002,"events":[{"id":"c","timestamp":1700000000000}]}]}
        """

    @Test func aGoodMessageIsInsertedThenAcked() throws {
        let f = try Fixture()
        #expect(f.sink.handle(SinkTestSupport.delivery(tag: 1, events: 3)) == .ack)
        #expect(f.writer.rowCounts == [3])
    }

    @Test func aMixedMessageInsertsItsGoodRowsAndDeadLettersOnlyItsBadOnes() throws {
        let f = try Fixture()
        let delivery = SinkTestSupport.delivery(tag: 1, body: Self.mixed)
        guard case .republish(let copy) = f.sink.handle(delivery) else {
            Issue.record("the bad rows must be republished to the DLQ")
            return
        }
        // The good rows were inserted before the copy is handed over: the consumer acks the original only once
        // the copy is confirmed (`Disposition.republish`), so both are durable before the ack.
        #expect(f.writer.rowCounts == [2])
        #expect(
            f.writer.lines.map { $0.contains(#""event_id":"a""#) || $0.contains(#""event_id":"c""#) } == [true, true]
        )
        #expect(copy.exchange == "" && copy.routingKey == f.queue.deadLetterQueue)
        #expect(copy.messageID == "m-1.rejected")
        #expect(
            String(decoding: copy.body, as: UTF8.self)
                == #"{"calls":[{"header":{"sessionId":"s1"},"receivedAt":1700000000001,"events":["#
                + #"{"id":"","timestamp":1700000000000}]}]}"#
        )
        #expect(copy.headers[DeadLetterHeaders.reasonClass] == "bad_row")
        #expect(copy.headers[DeadLetterHeaders.reason] == "bad row: calls[0].events[1] has no id")
        #expect(copy.headers[DeadLetterHeaders.originQueue] == .string(f.queue.name))
        #expect(f.deadLettered("bad_row") == "1")
    }

    @Test func aMixedMessageWhoseInsertFailsIsRequeuedWholeAndNothingIsDeadLettered() throws {
        let f = try Fixture()
        f.writer.failing = true
        #expect(f.sink.handle(SinkTestSupport.delivery(tag: 1, body: Self.mixed)) == .requeue)
        #expect(f.deadLettered("bad_row") == "0")
    }

    @Test func aMixedMessageWhoseInsertIsRefusedTakesTheRetryPathWhole() throws {
        let f = try Fixture()
        f.writer.failing = true
        f.writer.refusal = SinkError(.insertRefused, "no such column")
        let delivery = SinkTestSupport.delivery(tag: 1, body: Self.mixed)
        guard case .republish(let copy) = f.sink.handle(delivery) else {
            Issue.record("a refused insert must be retried")
            return
        }
        #expect(copy.routingKey == f.queue.retryQueue(1))
        #expect(copy.body == delivery.body && copy.messageID == "m-1")
    }

    @Test(arguments: [
        ("not json", SinkFailure.decode, "cannot decode the message: "),
        (#"{"events":[{"id":"","timestamp":1}]}"#, SinkFailure.badRow, "bad row: events[0] has no id"),
    ])
    func aMessageWithoutAGoodRowGoesToTheDLQWhole(body: String, failure: SinkFailure, reason: String) throws {
        let f = try Fixture()
        guard case .republish(let copy) = f.sink.handle(SinkTestSupport.delivery(tag: 2, body: body)) else {
            Issue.record("a bad message must be republished to the DLQ")
            return
        }
        #expect(f.writer.attempts == 0)
        #expect(copy.routingKey == f.queue.deadLetterQueue && copy.body == Array(body.utf8))
        #expect(copy.headers[DeadLetterHeaders.reason]?.stringValue?.hasPrefix(reason) == true)
        #expect(f.deadLettered(failure.rawValue) == "1")
    }

    @Test func nothingIsInsertedWhileTheBreakerIsOpen() throws {
        let f = try Fixture()
        f.health.record(check: 1, problem: "down")
        #expect(f.sink.handle(SinkTestSupport.delivery(tag: 1, body: Self.mixed)) == .requeue)
        #expect(f.writer.attempts == 0)
        #expect(f.sink.isPaused)
    }
}
