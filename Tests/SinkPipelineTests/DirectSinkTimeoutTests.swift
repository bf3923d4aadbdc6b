import AMQPClient
import EventCore
import EventTopology
import Foundation
import Synchronization
import Testing

@testable import ClickHouseClient
@testable import SinkPipeline

/// A direct sink's insert that times out again and again for the same message: a refusal after `limit` timeouts
/// with the database healthy (retry path, then the DLQ), an outage (requeue, nothing counted) otherwise.
@Suite struct DirectSinkTimeoutTests {
    struct Fixture {
        let writer = FakeRowWriter()
        let health: DatabaseHealth
        let strikes = TimeoutStrikes(limit: 3)
        let queue = Topology.default.family(named: "analytics")!.queues[0]
        let failures: (String, SinkFailure) -> Int
        let sink: DirectSink

        /// Every insert times out; a health check numbered after the last one completes during each insert and
        /// finds the database healthy or not, as `healthy` says.
        init(healthy: Bool?) throws {
            health = try SinkTestSupport.health()
            let breaker = CircuitBreaker(
                queue: queue.name,
                health: health,
                failureThreshold: 100,
                logger: SinkTestSupport.logger
            )
            let (metrics, failures) = SinkTestSupport.failureMetrics(queue: queue.name)
            self.failures = failures
            writer.failing = true
            writer.refusal = SinkTestSupport.timeout
            if let healthy {
                let health = health
                let checks = Mutex<UInt64>(0)
                writer.duringInsert = {
                    let number = checks.withLock { count in
                        count += 1
                        return count
                    }
                    health.record(check: number, problem: healthy ? nil : "ping timed out")
                }
            }
            sink = DirectSink(
                writer: writer,
                breaker: breaker,
                queue: queue,
                outageDelay: .zero,
                metrics: metrics,
                logger: SinkTestSupport.logger,
                strikes: strikes
            )
        }
    }

    @Test func theThirdTimeoutWithTheDatabaseHealthyIsARefusal() throws {
        let f = try Fixture(healthy: true)
        let delivery = SinkTestSupport.delivery(tag: 1)
        #expect(f.sink.handle(delivery) == .requeue)
        #expect(f.sink.handle(delivery) == .requeue)
        guard case .republish(let copy) = f.sink.handle(delivery) else {
            Issue.record("the third timeout must send the message to its retry queue")
            return
        }
        #expect(copy.routingKey == f.queue.retryQueue(1) && copy.body == delivery.body)
        #expect(f.failures("retried", .insert) == 1)
        #expect(f.strikes.count(TimeoutStrikes.key(of: delivery)) == 0, "routed: its count starts again")
    }

    @Test func afterItsRetriesTheMessageIsDeadLetteredWithTheReason() throws {
        let f = try Fixture(healthy: true)
        var delivery = SinkTestSupport.delivery(tag: 1)
        delivery.headers[DeadLetterHeaders.retryCount] = .int64(2)
        _ = f.sink.handle(delivery)
        _ = f.sink.handle(delivery)
        guard case .republish(let copy) = f.sink.handle(delivery) else {
            Issue.record("the third timeout must dead-letter a message without retries left")
            return
        }
        #expect(copy.routingKey == f.queue.deadLetterQueue)
        #expect(copy.headers[DeadLetterHeaders.reason]?.stringValue?.hasPrefix("insert timed out 3 times") == true)
        #expect(f.failures("dead_lettered", .insert) == 1)
    }

    @Test(arguments: [false, nil] as [Bool?])
    func withoutAHealthyCheckDuringTheInsertATimeoutIsAnOutageForever(healthy: Bool?) throws {
        let f = try Fixture(healthy: healthy)
        for _ in 1...10 {
            #expect(f.sink.handle(SinkTestSupport.delivery(tag: 1)) == .requeue)
        }
        #expect(f.failures("retried", .insert) == 0 && f.failures("dead_lettered", .insert) == 0)
    }

    @Test func aWrittenMessageForgetsItsTimeouts() throws {
        let f = try Fixture(healthy: true)
        let delivery = SinkTestSupport.delivery(tag: 1)
        #expect(f.sink.handle(delivery) == .requeue)
        #expect(f.sink.handle(delivery) == .requeue)
        f.writer.failing = false
        #expect(f.sink.handle(delivery) == .ack)
        f.writer.failing = true
        #expect(f.sink.handle(delivery) == .requeue, "counting starts again")
    }
}

@Suite struct TimeoutStrikesTests {
    @Test func countsPerMessageUpToTheLimitAndForgetsTheOldestBeyondItsCapacity() {
        let strikes = TimeoutStrikes(limit: 3)
        #expect(strikes.record("a") == 1 && strikes.record("a") == 2 && strikes.record("b") == 1)
        #expect(strikes.record("a") == 3 && strikes.record("a") == 3)
        strikes.clear("a")
        #expect(strikes.count("a") == 0 && strikes.count("b") == 1)
        for index in 0..<TimeoutStrikes.capacity { _ = strikes.record("k\(index)") }
        #expect(strikes.count("b") == 0, "the oldest is forgotten first")
        #expect(strikes.count("k\(TimeoutStrikes.capacity - 1)") == 1)
    }

    @Test func aMessageWithoutIdIsKnownByItsBody() {
        var one = SinkTestSupport.delivery(tag: 1)
        one.messageID = nil
        var again = one
        again.deliveryTag = 9
        var other = SinkTestSupport.delivery(tag: 2)
        other.messageID = nil
        #expect(TimeoutStrikes.key(of: one) == TimeoutStrikes.key(of: again))
        #expect(TimeoutStrikes.key(of: one) != TimeoutStrikes.key(of: other))
        #expect(TimeoutStrikes.key(of: SinkTestSupport.delivery(tag: 1)) == "id:m-1")
    }
}
