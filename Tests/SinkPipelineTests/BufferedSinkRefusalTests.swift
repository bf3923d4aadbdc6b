import AMQPClient
import EventCore
import EventTopology
import Testing

@testable import ClickHouseClient
@testable import SinkPipeline

/// A buffered batch that ClickHouse refuses, or whose insert keeps timing out, with a fake table writer: the
/// refused messages are found by bisection and routed, the rest written and acked, and nothing is routed unless a
/// health check that started after the failed insert says the database is up.
@Suite struct BufferedSinkRefusalTests {
    typealias Fixture = BufferedSinkTests.Fixture

    static let refusal = SinkError(.insertRefused, "insert into logs.t failed: HTTP 500, code 395: throwIf")

    /// One event per message; the ids of `poisoned` messages contain the writer's poison marker.
    static func message(_ tag: UInt64, poisoned: Bool = false, retries: Int64? = nil) -> Delivery {
        let id = poisoned ? "poison-\(tag)" : "e-\(tag)"
        var delivery = SinkTestSupport.delivery(
            tag: tag,
            body: #"{"header":{},"events":[{"id":"\#(id)","type":"log.trace","timestamp":1700000000000}]}"#
        )
        if let retries { delivery.headers[DeadLetterHeaders.retryCount] = .int64(retries) }
        return delivery
    }

    /// Fills a batch of `count` messages (due at once), the ones in `poisoned` refused by ClickHouse.
    static func refusedBatch(_ f: Fixture, count: Int, poisoned: Set<UInt64>, error: SinkError = refusal) {
        f.writer.poison = ("poison", error)
        for tag in 1...UInt64(count) {
            #expect(f.sink.process(message(tag, poisoned: poisoned.contains(tag))) == nil)
        }
    }

    @Test func oneRefusedMessageIsFoundTheOthersAreWrittenAndAckedAfterAHealthyCheck() throws {
        let f = try Fixture(batchSize: 10, maxMessages: 10)
        Self.refusedBatch(f, count: 10, poisoned: [8])
        #expect(f.sink.poll().isEmpty, "the first insert is refused: nothing is settled")
        #expect(f.writer.attempts == 1)
        f.clock.advance(by: .seconds(5))
        #expect(f.sink.poll().isEmpty, "no verdict yet: no split, no retry")
        #expect(f.writer.attempts == 1)
        f.health.record(check: 1, problem: nil)
        let settled = f.sink.poll()
        #expect(f.writer.attempts == 1 + 4, "10 messages, the 8th refused: 4 inserts after the refused one")
        #expect(settled.count == 10)
        #expect(settled.filter { $0.disposition == .ack }.map(\.deliveryTag).sorted() == [1, 2, 3, 4, 5, 6, 7, 9, 10])
        let refused = try #require(settled.first { $0.deliveryTag == 8 })
        guard case .republish(let copy) = refused.disposition else {
            Issue.record("the refused message must take the retry path")
            return
        }
        #expect(copy.routingKey == f.queue.retryQueue(1))
        #expect(copy.headers[DeadLetterHeaders.retryCount] == .int64(1))
        #expect(f.writer.writtenIDs.sorted() == ["e-1", "e-10", "e-2", "e-3", "e-4", "e-5", "e-6", "e-7", "e-9"])
        #expect(f.failures("retried", .insert) == 1)
        #expect(f.sink.heldMessages == 0 && f.sink.heldByteCount == 0)
        #expect(f.sink.router.metrics.batchSplits.value == 1)
    }

    @Test func aRefusedMessageWithoutRetriesLeftGoesToTheDLQWithClickHousesReason() throws {
        let f = try Fixture(batchSize: 4, maxMessages: 4)
        f.writer.poison = ("poison", Self.refusal)
        _ = f.sink.process(Self.message(1))
        _ = f.sink.process(Self.message(2, poisoned: true, retries: 2))
        _ = f.sink.process(Self.message(3, poisoned: true))
        _ = f.sink.process(Self.message(4))
        #expect(f.sink.poll().isEmpty)
        f.health.record(check: 1, problem: nil)
        let settled = f.sink.poll()
        #expect(settled.map(\.deliveryTag).sorted() == [1, 2, 3, 4])
        let byTag = Dictionary(uniqueKeysWithValues: settled.map { ($0.deliveryTag, $0.disposition) })
        #expect(byTag[1] == .ack && byTag[4] == .ack)
        #expect(byTag[3]?.republishedTo == f.queue.retryQueue(1))
        guard case .republish(let copy)? = byTag[2] else {
            Issue.record("a message with no retries left must be dead-lettered")
            return
        }
        #expect(copy.routingKey == f.queue.deadLetterQueue)
        #expect(copy.headers[DeadLetterHeaders.reasonClass] == "insert")
        #expect(copy.headers[DeadLetterHeaders.reason]?.stringValue?.contains("code 395: throwIf") == true)
        #expect(f.failures("dead_lettered", .insert) == 1 && f.failures("retried", .insert) == 1)
    }

    @Test func aRefusalWhileTheDatabaseIsUnhealthyIsAnOutageNothingIsRouted() throws {
        let f = try Fixture(batchSize: 3, maxMessages: 3)
        Self.refusedBatch(f, count: 3, poisoned: [1, 2, 3])
        #expect(f.sink.poll().isEmpty)
        f.health.record(check: 1, problem: "Connection refused")
        #expect(f.sink.poll().isEmpty)
        #expect(f.sink.isPaused)
        #expect(f.writer.attempts == 1, "no split while the database is down")
        #expect(f.sink.drain() == [1, 2, 3].map { Settlement(deliveryTag: $0, disposition: .requeue) })
        #expect(f.failures("retried", .insert) == 0 && f.failures("dead_lettered", .insert) == 0)
    }

    @Test func aBatchAwaitingItsVerdictIsHandedBackWholeOnDrain() throws {
        let f = try Fixture(batchSize: 2, maxMessages: 2)
        Self.refusedBatch(f, count: 2, poisoned: [2])
        #expect(f.sink.poll().isEmpty)
        #expect(f.sink.drain() == [1, 2].map { Settlement(deliveryTag: $0, disposition: .requeue) })
        #expect(f.writer.attempts == 1 && f.failures("retried", .insert) == 0)
    }

    @Test func aVerdictFromACheckThatStartedBeforeTheInsertDoesNotCount() throws {
        let f = try Fixture(batchSize: 2, maxMessages: 2)
        f.health.record(check: 4, problem: nil)
        Self.refusedBatch(f, count: 2, poisoned: [2])
        #expect(f.sink.poll().isEmpty)
        f.health.record(check: 4, problem: nil)
        #expect(f.sink.poll().isEmpty && f.writer.attempts == 1)
        f.health.record(check: 5, problem: nil)
        #expect(f.sink.poll().map(\.deliveryTag).sorted() == [1, 2])
    }

    @Test func aBatchWhoseInsertTimesOutWithTheDatabaseHealthyIsRetriedWholeThenSplit() throws {
        let f = try Fixture(batchSize: 4, maxMessages: 4, timeoutsBeforeRefusal: 3)
        Self.refusedBatch(f, count: 4, poisoned: [3], error: SinkTestSupport.timeout)
        for check in 1...2 {
            #expect(f.sink.poll().isEmpty)
            f.health.record(check: UInt64(check), problem: nil)
            #expect(f.sink.poll().isEmpty, "timeout \(check) of 3: retried whole")
            f.clock.advance(by: .seconds(2))
        }
        #expect(f.writer.attempts == 2)
        #expect(f.sink.poll().isEmpty)
        #expect(f.writer.attempts == 3)
        f.health.record(check: 3, problem: nil)
        let settled = f.sink.poll()
        #expect(settled.filter { $0.disposition == .ack }.map(\.deliveryTag).sorted() == [1, 2, 4])
        let slow = try #require(settled.first { $0.deliveryTag == 3 })
        guard case .republish(let copy) = slow.disposition else {
            Issue.record("the message whose insert keeps timing out must take the retry path")
            return
        }
        #expect(copy.routingKey == f.queue.retryQueue(1))
        #expect(f.writer.writtenIDs.sorted() == ["e-1", "e-2", "e-4"])
        #expect(f.sink.router.metrics.timeoutsWhileHealthy.value == 3)
    }

    @Test func timeoutsDuringAnOutageNeverCountAgainstTheBatch() throws {
        let f = try Fixture(batchSize: 2, maxMessages: 2, failureThreshold: 100, timeoutsBeforeRefusal: 2)
        Self.refusedBatch(f, count: 2, poisoned: [1], error: SinkTestSupport.timeout)
        var check: UInt64 = 0
        for _ in 1...5 {
            #expect(f.sink.poll().isEmpty)
            check += 1
            f.health.record(check: check, problem: "ping timed out")
            #expect(f.sink.poll().isEmpty)
            check += 1
            f.health.record(check: check, problem: nil)
            f.clock.advance(by: .seconds(2))
        }
        #expect(f.sink.heldMessages == 2)
        #expect(f.failures("retried", .insert) == 0 && f.failures("dead_lettered", .insert) == 0)
        #expect(f.sink.router.metrics.timeoutsWhileHealthy.value == 0)
    }
}

/// The byte cap: a batch never holds more than `batchBytes`, and a message larger than the cap is inserted alone.
@Suite struct BufferedSinkByteCapTests {
    typealias Fixture = BufferedSinkTests.Fixture

    static func size(of delivery: Delivery) throws -> Int {
        delivery.body.count + (try DeliveryRows(delivery)).bytes.count
    }

    @Test func aMessageThatDoesNotFitFlushesTheBatchFirst() throws {
        let one = try Self.size(of: SinkTestSupport.delivery(tag: 1))
        let f = try Fixture(batchSize: 1000, batchBytes: one * 2 + one / 2, maxMessages: 100)
        #expect(f.sink.process(SinkTestSupport.delivery(tag: 1)) == nil)
        #expect(f.sink.process(SinkTestSupport.delivery(tag: 2)) == nil)
        #expect(f.sink.heldByteCount == 2 * one)
        #expect(f.sink.process(SinkTestSupport.delivery(tag: 3)) == nil)
        #expect(f.writer.rowCounts == [4], "the two held messages were written to make room")
        #expect(f.sink.heldMessages == 1 && f.sink.heldByteCount == one)
        #expect(f.sink.poll() == BufferedSinkTests.acks([1, 2]))
    }

    @Test func aMessageLargerThanTheCapIsInsertedAloneAndAckedAtOnce() throws {
        let small = try Self.size(of: SinkTestSupport.delivery(tag: 1, events: 1))
        let f = try Fixture(batchSize: 1000, batchBytes: small * 3, maxMessages: 100)
        #expect(f.sink.process(SinkTestSupport.delivery(tag: 1, events: 1)) == nil)
        #expect(f.sink.process(SinkTestSupport.delivery(tag: 2, events: 20)) == .ack)
        #expect(f.writer.rowCounts == [1, 20])
        #expect(f.sink.heldMessages == 0, "the held message was flushed to make room first")
        #expect(f.sink.poll() == BufferedSinkTests.acks([1]))
    }

    @Test func whenTheBatchCannotBeWrittenAMessageThatDoesNotFitIsInsertedAlone() throws {
        let one = try Self.size(of: SinkTestSupport.delivery(tag: 1))
        let f = try Fixture(batchSize: 1000, batchBytes: one + one / 2, maxMessages: 100)
        f.writer.poison = ("e-1-", BufferedSinkRefusalTests.refusal)
        #expect(f.sink.process(SinkTestSupport.delivery(tag: 1)) == nil)
        #expect(f.sink.process(SinkTestSupport.delivery(tag: 2)) == .ack, "batch refused, awaiting its verdict")
        #expect(f.sink.process(SinkTestSupport.delivery(tag: 3)) == .ack)
        #expect(f.sink.heldMessages == 1 && f.sink.heldByteCount <= one + one / 2)
        #expect(f.writer.attempts == 3, "the held batch is not tried again while its verdict is pending")
    }

    @Test(arguments: [1, 7, 40])
    func theHeldBytesNeverExceedTheCap(events: Int) throws {
        let cap = 64 << 10
        let f = try Fixture(batchSize: 100_000, batchBytes: cap, maxMessages: 10_000)
        for tag in 1...UInt64(300) {
            _ = f.sink.process(SinkTestSupport.delivery(tag: tag, events: events))
            #expect(f.sink.heldByteCount <= cap)
            _ = f.sink.poll()
        }
        #expect(f.writer.rowCounts.reduce(0, +) + f.sink.heldRows == 300 * events)
    }
}
