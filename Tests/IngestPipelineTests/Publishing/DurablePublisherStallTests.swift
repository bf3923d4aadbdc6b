import AMQPClient
import EventCore
import Testing

@testable import IngestPipeline

/// A stalled broker is an outage at once: a batch waiting for its confirm is spooled within the stall timeout
/// (not the confirm timeout), later batches go to the spool without asking the broker, a broker that confirms
/// slowly but steadily is not stalled, and publishing resumes when the broker confirms again.
@Suite(.timeLimit(.minutes(1)))
struct DurablePublisherStallTests {
    static let batch = DurablePublisherTests.batch

    static func publisher(
        _ broker: ScriptedBroker,
        log: ScriptedLog = ScriptedLog(),
        registry: MetricsRegistry = MetricsRegistry(),
        stallTimeout: Duration = .milliseconds(200)
    ) -> DurablePublisher {
        DurablePublisher(
            publisher: broker,
            spool: log,
            confirmTimeout: .seconds(5),
            stallTimeout: stallTimeout,
            metrics: DurablePublisherMetrics(registry: registry),
            logger: Logger(label: "test", minimumLevel: .critical)
        )
    }

    static func value(_ registry: MetricsRegistry, _ name: String) -> String? {
        registry.render().split(separator: "\n").first { $0.hasPrefix("\(name) ") }.map {
            String($0.dropFirst(name.count + 1))
        }
    }

    @Test func aBatchWaitingWhenTheBrokerFreezesIsSpooledWithinTheStallTimeout() async throws {
        let broker = ScriptedBroker(answer: .silence)
        let log = ScriptedLog()
        let registry = MetricsRegistry()
        let publisher = Self.publisher(broker, log: log, registry: registry)
        let started = ContinuousClock.now
        #expect(try await publisher.publish(Self.batch) == .spooled)
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(200) && waited < .milliseconds(4500), "waited \(waited), not the 5 s timeout")
        #expect(log.appended == [Self.batch])
        #expect(broker.cancelledCalls == 1, "the abandoned publish is cancelled (withdrawn if not yet sent)")
        #expect(Self.value(registry, "eventgrpc_publisher_stalls_total") == "1")
        #expect(Self.value(registry, "eventgrpc_gateway_confirm_timeouts_total") == "0")
        #expect(publisher.brokerIsStalled && !publisher.brokerIsUsable)
    }

    @Test func whileStalledBatchesGoToTheSpoolWithoutAskingTheBroker() async throws {
        let broker = ScriptedBroker(answer: .confirm)
        broker.report { $0.awaitingConfirmSince = .now - .seconds(3) }
        let log = ScriptedLog()
        let registry = MetricsRegistry()
        let publisher = Self.publisher(broker, log: log, registry: registry)
        let started = ContinuousClock.now
        for _ in 0..<5 {
            #expect(try await publisher.publish(Self.batch) == .spooled)
        }
        #expect(ContinuousClock.now - started < .seconds(4), "no batch waits for a stalled broker (5 s each)")
        #expect(broker.publishCalls == 0)
        #expect(log.appended.count == 5)
        #expect(Self.value(registry, "eventgrpc_publisher_stalls_total") == "1", "one stall, counted once")
    }

    @Test func aBlockedConnectionIsAStall() async throws {
        let broker = ScriptedBroker(answer: .confirm)
        broker.report { $0.blockedReason = "low on disk" }
        let log = ScriptedLog()
        let publisher = Self.publisher(broker, log: log)
        #expect(try await publisher.publish(Self.batch) == .spooled)
        #expect(broker.publishCalls == 0)
        #expect(publisher.brokerIsStalled)

        broker.report { $0.blockedReason = nil }
        #expect(try await publisher.publish(Self.batch) == .confirmed, "connection.unblocked: publishing resumes")
        #expect(log.appended.count == 1)
    }

    @Test func aBrokerThatConfirmsSlowlyButSteadilyIsNotStalled() async throws {
        // 10 confirms 300 ms apart: 3 s in all, longer than the 2 s stall timeout, never near 2 s without one
        // (a wide margin: a loaded machine delayed a 100 ms step past a 200 ms timeout).
        let broker = ScriptedBroker(answer: .confirmSteadily(steps: 10, every: .milliseconds(300)))
        let log = ScriptedLog()
        let registry = MetricsRegistry()
        let publisher = Self.publisher(broker, log: log, registry: registry, stallTimeout: .seconds(2))
        #expect(try await publisher.publish(Self.batch) == .confirmed)
        #expect(log.appended.isEmpty)
        #expect(Self.value(registry, "eventgrpc_publisher_stalls_total") == "0")
    }

    @Test func publishingResumesWhenTheBrokerConfirmsAgainAndEachStallIsCounted() async throws {
        let broker = ScriptedBroker(answer: .confirm)
        let registry = MetricsRegistry()
        let log = ScriptedLog()
        let publisher = Self.publisher(broker, log: log, registry: registry)
        for round in 1...2 {
            broker.report { $0.awaitingConfirmSince = .now - .seconds(2) }
            #expect(try await publisher.publish(Self.batch) == .spooled)
            broker.report { $0.awaitingConfirmSince = nil }  // the stuck round was confirmed at last
            #expect(try await publisher.publish(Self.batch) == .confirmed)
            #expect(Self.value(registry, "eventgrpc_publisher_stalls_total") == "\(round)")
        }
        #expect(log.appended.count == 2)
        #expect(broker.publishCalls == 2)
    }

    @Test func theReplayPathFailsOnAStallInsteadOfWaitingOrSpooling() async throws {
        let broker = ScriptedBroker(answer: .silence)
        let log = ScriptedLog()
        let publisher = Self.publisher(broker, log: log)
        let started = ContinuousClock.now
        let error = await #expect(throws: IngestError.self) { try await publisher.publishConfirmed(Self.batch) }
        #expect(error?.code == .unavailable)
        #expect(ContinuousClock.now - started < .seconds(4))
        #expect(log.appended.isEmpty, "replayed records are in the spool already")
    }
}
