import AMQPClient
import EventTopology
import Testing

@testable import ClickHouseClient
@testable import SinkPipeline

@Suite struct BufferedSinkTests {
    struct Fixture {
        let writer = FakeRowWriter()
        let clock = ManualClock()
        let health: DatabaseHealth
        let breaker: CircuitBreaker
        let queue = Topology.default.family(named: "logs")!.queues[0]
        let sink: BufferedSink
        let failures: (String, SinkFailure) -> Int

        init(
            batchSize: Int = 5,
            batchBytes: Int = 1 << 20,
            maxMessages: Int = 10,
            failureThreshold: Int = 5,
            timeoutsBeforeRefusal: Int = 3
        ) throws {
            health = try SinkTestSupport.health()
            breaker = CircuitBreaker(
                queue: "logs.trace",
                health: health,
                failureThreshold: failureThreshold,
                logger: SinkTestSupport.logger
            )
            let clock = clock
            let writer = writer
            let breaker = breaker
            let (metrics, failures) = SinkTestSupport.failureMetrics()
            self.failures = failures
            sink = BufferedSink(
                writer: CountingWriter(inner: writer, breaker: breaker),
                breaker: breaker,
                settings: .init(
                    batchSize: batchSize,
                    batchBytes: batchBytes,
                    batchAge: .seconds(1),
                    maxMessages: maxMessages,
                    retryDelay: .seconds(2),
                    timeoutsBeforeRefusal: timeoutsBeforeRefusal
                ),
                logger: SinkTestSupport.logger,
                queue: queue,
                metrics: metrics,
                now: { clock.now }
            )
        }
    }

    /// Tells the breaker about each outcome, as `TableWriter` does.
    struct CountingWriter: RowWriter {
        let inner: FakeRowWriter
        let breaker: CircuitBreaker

        func insert(_ rows: [UInt8], rowCount: Int) throws {
            do {
                try inner.insert(rows, rowCount: rowCount)
                breaker.recordSuccess()
            } catch {
                breaker.recordFailure()
                throw error
            }
        }
    }

    static func acks(_ tags: [UInt64]) -> [Settlement] { tags.map { .init(deliveryTag: $0, disposition: .ack) } }

    @Test func holdsDeliveriesUntilTheBatchIsFullThenWritesOnceAndAcksThemAll() throws {
        let f = try Fixture(batchSize: 5)
        #expect(f.sink.process(SinkTestSupport.delivery(tag: 1)) == nil)
        #expect(f.sink.poll().isEmpty)
        #expect(f.sink.process(SinkTestSupport.delivery(tag: 2)) == nil)
        #expect(f.sink.poll().isEmpty)
        #expect(f.writer.attempts == 0)
        #expect(f.sink.process(SinkTestSupport.delivery(tag: 3)) == nil)
        #expect(f.sink.poll() == Self.acks([1, 2, 3]))
        #expect(f.writer.rowCounts == [6])
        #expect(f.writer.lines.count == 6)
        #expect(f.writer.lines.allSatisfy { $0.hasPrefix("{\"event_id\":\"e-") })
        #expect(f.sink.heldMessages == 0 && f.sink.heldRows == 0)
    }

    @Test func flushesWhenTheOldestRowReachesTheBatchAge() throws {
        let f = try Fixture(batchSize: 1000)
        _ = f.sink.process(SinkTestSupport.delivery(tag: 7))
        f.clock.advance(by: .milliseconds(999))
        #expect(f.sink.poll().isEmpty)
        f.clock.advance(by: .milliseconds(1))
        #expect(f.sink.poll() == Self.acks([7]))
    }

    @Test func flushesWhenItHoldsAsManyMessagesAsThePrefetch() throws {
        let f = try Fixture(batchSize: 1000, maxMessages: 2)
        _ = f.sink.process(SinkTestSupport.delivery(tag: 1, events: 1))
        #expect(f.sink.poll().isEmpty)
        _ = f.sink.process(SinkTestSupport.delivery(tag: 2, events: 1))
        #expect(f.sink.poll() == Self.acks([1, 2]))
    }

    @Test func aFailedFlushKeepsTheRowsAndRetriesThemAfterTheDelay() throws {
        let f = try Fixture(batchSize: 2)
        f.writer.failing = true
        _ = f.sink.process(SinkTestSupport.delivery(tag: 1))
        #expect(f.sink.poll().isEmpty)
        #expect(f.writer.attempts == 1)
        _ = f.sink.process(SinkTestSupport.delivery(tag: 2))
        f.clock.advance(by: .seconds(1))
        #expect(f.sink.poll().isEmpty)
        #expect(f.writer.attempts == 1, "no retry before the retry delay")
        f.writer.failing = false
        f.clock.advance(by: .seconds(1))
        #expect(f.sink.poll() == Self.acks([1, 2]))
        #expect(f.writer.rowCounts == [4])
    }

    @Test func repeatedFailuresOpenTheBreakerWhichPausesAndRequeuesTheBatch() throws {
        let f = try Fixture(batchSize: 1, failureThreshold: 2)
        f.writer.failing = true
        _ = f.sink.process(SinkTestSupport.delivery(tag: 1))
        #expect(f.sink.poll().isEmpty)
        f.clock.advance(by: .seconds(2))
        #expect(f.sink.poll().isEmpty)
        #expect(f.sink.isPaused)
        f.clock.advance(by: .seconds(2))
        #expect(f.sink.poll().isEmpty)
        #expect(f.writer.attempts == 2, "no insert while the breaker is open")
        #expect(f.sink.drain() == [.init(deliveryTag: 1, disposition: .requeue)])
        #expect(f.sink.heldMessages == 0)
        f.health.record(check: 1, problem: nil)
        #expect(!f.sink.isPaused)
    }

    @Test func drainWritesAHalfFullBatchAndAcksIt() throws {
        let f = try Fixture(batchSize: 1000)
        _ = f.sink.process(SinkTestSupport.delivery(tag: 1))
        _ = f.sink.process(SinkTestSupport.delivery(tag: 2))
        #expect(f.sink.drain() == Self.acks([1, 2]))
        #expect(f.sink.drain().isEmpty)
    }

    @Test func drainRequeuesWhatItCannotWrite() throws {
        let f = try Fixture(batchSize: 1000)
        f.writer.failing = true
        _ = f.sink.process(SinkTestSupport.delivery(tag: 1))
        _ = f.sink.process(SinkTestSupport.delivery(tag: 2))
        #expect(f.sink.drain() == [1, 2].map { .init(deliveryTag: $0, disposition: .requeue) })
    }

    @Test func aLostChannelForgetsTheBatch() throws {
        let f = try Fixture(batchSize: 1000)
        _ = f.sink.process(SinkTestSupport.delivery(tag: 1))
        f.sink.channelLost()
        #expect(f.sink.heldMessages == 0)
        f.clock.advance(by: .seconds(5))
        #expect(f.sink.poll().isEmpty)
        #expect(f.writer.attempts == 0)
    }

    @Test(arguments: [
        ("not json", SinkFailure.decode),
        (#"{"header":{},"events":[]}"#, SinkFailure.badRow),
        (#"{"header":{},"events":[{"type":"log.trace","timestamp":"1700000000000"}]}"#, SinkFailure.badRow),
    ])
    func badMessagesGoToTheDeadLetterQueueAtOnceAndAreNeverBuffered(body: String, failure: SinkFailure) throws {
        let f = try Fixture()
        guard case .republish(let copy)? = f.sink.process(SinkTestSupport.delivery(tag: 3, body: body)) else {
            Issue.record("a bad message must be republished to the DLQ")
            return
        }
        #expect(copy.exchange == "" && copy.routingKey == f.queue.deadLetterQueue)
        #expect(copy.headers[DeadLetterHeaders.reasonClass] == .string(failure.rawValue))
        #expect(copy.headers[DeadLetterHeaders.originQueue] == .string(f.queue.name))
        #expect(f.failures("dead_lettered", failure) == 1)
        #expect(f.sink.heldMessages == 0)
    }
}

@Suite struct BufferedSinkMixedMessageTests {
    static let mixed = #"""
        {"header":{"sessionId":"s"},"events":[{"id":"good-1","timestamp":"1700000000000"},
        {"id":"bad","timestamp":"later"},{"id":"good-2","timestamp":"1700000000000"}]}
        """#

    struct Fixture {
        let writer = FakeRowWriter()
        let health: DatabaseHealth
        let queue = Topology.default.family(named: "logs")!.queues[0]
        let failures: (String, SinkFailure) -> Int
        let sink: BufferedSink

        init() throws {
            health = try SinkTestSupport.health()
            let breaker = CircuitBreaker(queue: queue.name, health: health, logger: SinkTestSupport.logger)
            let (metrics, failures) = SinkTestSupport.failureMetrics()
            self.failures = failures
            sink = BufferedSink(
                writer: writer,
                breaker: breaker,
                settings: .init(batchSize: 4, batchAge: .seconds(1), maxMessages: 10, retryDelay: .seconds(1)),
                logger: SinkTestSupport.logger,
                queue: queue,
                metrics: metrics
            )
        }
    }

    @Test func theGoodRowsAreBatchedAndTheBadOnesDeadLetteredOnlyOnceTheBatchIsWritten() throws {
        let f = try Fixture()
        #expect(f.sink.process(SinkTestSupport.delivery(tag: 1, body: Self.mixed)) == nil)
        #expect(f.sink.heldRows == 2 && f.sink.heldMessages == 1)
        #expect(f.sink.poll().isEmpty)
        #expect(f.failures("dead_lettered", .badRow) == 0, "nothing is dead-lettered before the batch is written")
        f.writer.failing = true
        #expect(f.sink.process(SinkTestSupport.delivery(tag: 2)) == nil)
        #expect(f.sink.poll().isEmpty, "a failed insert settles nothing")
        f.writer.failing = false
        let settlements = f.sink.drain()
        #expect(settlements.map(\.deliveryTag) == [1, 2])
        #expect(settlements.last?.disposition == .ack)
        #expect(f.writer.rowCounts == [4])
        #expect(f.writer.lines.filter { $0.contains("\"event_id\":\"bad\"") }.isEmpty)
        #expect(f.failures("dead_lettered", .badRow) == 1)
    }

    @Test func theSettlementOfAMixedMessagePublishesItsBadRowsBeforeTheAck() throws {
        let f = try Fixture()
        _ = f.sink.process(SinkTestSupport.delivery(tag: 1, body: Self.mixed))
        _ = f.sink.process(SinkTestSupport.delivery(tag: 2))
        let settlements = f.sink.poll()
        #expect(f.writer.rowCounts == [4])
        #expect(settlements.count == 2)
        #expect(settlements[1] == .init(deliveryTag: 2, disposition: .ack))
        guard case .republish(let copy) = settlements[0].disposition, settlements[0].deliveryTag == 1 else {
            Issue.record("the mixed message must be settled by publishing its bad rows")
            return
        }
        #expect(copy.routingKey == f.queue.deadLetterQueue && copy.messageID == "m-1.rejected")
        #expect(
            String(decoding: copy.body, as: UTF8.self)
                == #"{"header":{"sessionId":"s"},"events":[{"id":"bad","timestamp":"later"}]}"#
        )
        #expect(copy.headers[DeadLetterHeaders.reason] == "bad row: events[1] has no valid timestamp")
        #expect(copy.headers[DeadLetterHeaders.reasonClass] == "bad_row")
        #expect(f.failures("dead_lettered", .badRow) == 1)
    }

    @Test func aBatchHandedBackRequeuesTheMixedMessageWhole() throws {
        let f = try Fixture()
        f.writer.failing = true
        _ = f.sink.process(SinkTestSupport.delivery(tag: 1, body: Self.mixed))
        #expect(f.sink.drain() == [.init(deliveryTag: 1, disposition: .requeue)])
        #expect(f.failures("dead_lettered", .badRow) == 0)
    }
}
