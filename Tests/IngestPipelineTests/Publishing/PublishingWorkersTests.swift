import AMQPClient
import EventCore
import EventWire
import Testing

@testable import IngestPipeline

/// Natural batching keeps promise P1 per call: every call of a round gets the round's outcome, so a nack or a
/// return of a shared message fails every call in it and none is answered SUCCESS before its messages are
/// confirmed.
@Suite struct PublishingWorkersTests {
    static func call(_ id: String) -> [CallPart] {
        CallPart.parts(
            header: Header(deviceId: "d"),
            receivedAtMilliseconds: 1,
            events: [
                IngestedEvent(
                    id: id,
                    type: "app.open",
                    timestampMilliseconds: 1_700_000_000_000,
                    originalTimestampMilliseconds: 1_700_000_000_000,
                    timestampCorrected: false
                )
            ]
        )
    }

    @Test(arguments: [ScriptedBroker.Answer.confirm, .nack, .returned])
    func everyCallOfARoundGetsTheRoundsOutcome(answer: ScriptedBroker.Answer) async throws {
        let queue = PublishQueue(capacity: 10, maxBytes: 1 << 20)
        let broker = ScriptedBroker(answer: answer)
        let workers = PublishingWorkers(
            queue: queue,
            publisher: DurablePublisher(
                publisher: broker,
                spool: ScriptedLog(),
                confirmTimeout: .seconds(5),
                metrics: DurablePublisherMetrics(registry: MetricsRegistry()),
                logger: Logger(label: "test", minimumLevel: .critical)
            ),
            count: 1,
            exchange: "events",
            limits: RoundLimits(),
            metrics: PublishingMetrics(registry: MetricsRegistry())
        )
        // Three calls queued before the worker starts: one round, one shared message.
        let calls = (1...3).map { index in Task { try await queue.submit(Self.call("e\(index)"), bytes: 100) } }
        while queue.depth < 3 { await Task.yield() }
        let running = Task { try await workers.run() }
        for call in calls {
            if answer == .confirm {
                #expect(try await call.value == .confirmed)
            } else {
                let error = await #expect(throws: IngestError.self) { _ = try await call.value }
                #expect(error?.code == .unavailable)
            }
        }
        #expect(broker.publishCalls == 1, "the three calls share one round")
        workers.shutdown()
        try await running.value
    }

    @Test func aRoundStopsAtItsEventBound() async {
        let queue = PublishQueue(capacity: 10, maxBytes: 1 << 20)
        for index in 1...5 {
            Task { try await queue.submit(Self.call("e\(index)"), bytes: 100, events: 2) }
        }
        while queue.depth < 5 { await Task.yield() }
        let round = await queue.nextRound(maxEvents: 5, maxBytes: 1 << 20)
        #expect(round.count == 2, "2 + 2 events fit in 5, a third call would not")
        let bytesBound = await queue.nextRound(maxEvents: 100, maxBytes: 250)
        #expect(bytesBound.count == 2)
        let rest = await queue.nextRound(maxEvents: 1, maxBytes: 1)
        #expect(rest.count == 1, "the first call of a round always goes, whatever its size")
        for item in round + bytesBound + rest { item.finish(.success(.confirmed)) }
        queue.shutdown()
    }
}
