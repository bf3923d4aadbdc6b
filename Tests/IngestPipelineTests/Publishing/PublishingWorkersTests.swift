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

    /// Workers over `queue` that confirm everything, with `limits`; their metrics in `registry`.
    static func workers(
        _ queue: PublishQueue,
        _ broker: ScriptedBroker,
        _ limits: RoundLimits,
        _ metrics: PublishingMetrics
    )
        -> PublishingWorkers
    {
        PublishingWorkers(
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
            limits: limits,
            metrics: metrics
        )
    }

    /// Submits `count` calls and returns once the queue holds `depth` of them (the worker may hold the first).
    static func submit(
        _ queue: PublishQueue,
        _ count: Int,
        from index: Int,
        untilDepth depth: Int
    ) async
        -> [Task<DurablePublisher.Outcome, any Error>]
    {
        let calls = (0..<count).map { offset in
            Task { try await queue.submit(Self.call("e\(index + offset)"), bytes: 100) }
        }
        while queue.depth < depth { await Task.yield() }
        return calls
    }

    /// A round of several calls puts the worker under load; the next round is held until it is full (here: 3
    /// calls wait, `holdCalls`), long before the 30 s interval, and the interval's timer goes with the round: were
    /// it left running, the worker's task group would wait for it when the workers stop.
    @Test func underLoadAHeldRoundGoesAsSoonAsItIsFull() async throws {
        let started = ContinuousClock.now
        let queue = PublishQueue(capacity: 10, maxBytes: 1 << 20)
        let broker = ScriptedBroker(answer: .confirm)
        let metrics = PublishingMetrics(registry: MetricsRegistry())
        let limits = RoundLimits(maxEvents: 1000, maxBytes: 1 << 20, interval: .seconds(30), holdCalls: 3)
        let workers = Self.workers(queue, broker, limits, metrics)
        let first = await Self.submit(queue, 2, from: 0, untilDepth: 2)
        let running = Task { try await workers.run() }
        for call in first { #expect(try await call.value == .confirmed) }
        // The worker takes the first of these and holds it: two more queued fill the round.
        let second = await Self.submit(queue, 3, from: 2, untilDepth: 0)
        for call in second { #expect(try await call.value == .confirmed) }
        #expect(broker.publishCalls == 2)
        #expect(metrics.rounds(.atOnce).value == 1)
        #expect(metrics.rounds(.filled).value == 1)
        #expect(metrics.rounds(.afterInterval).value == 0)
        #expect(queue.heldRounds == 0)
        workers.shutdown()
        try await running.value
        // Milliseconds when the timer is cancelled; 30 s when it is not. The margin is for a very busy machine.
        #expect(ContinuousClock.now - started < .seconds(20), "the interval's timer was cancelled with the hold")
    }

    /// Calls that arrive within the interval join one round; a lone call after an idle interval goes at once.
    @Test func callsWithinAnIntervalJoinOneRoundAndALoneCallAfterIdleGoesAtOnce() async throws {
        let queue = PublishQueue(capacity: 100, maxBytes: 1 << 20)
        let broker = ScriptedBroker(answer: .confirm)
        let metrics = PublishingMetrics(registry: MetricsRegistry())
        let interval = Duration.seconds(1)
        let limits = RoundLimits(maxEvents: 1000, maxBytes: 1 << 20, interval: interval, holdCalls: 100)
        let workers = Self.workers(queue, broker, limits, metrics)
        let first = await Self.submit(queue, 2, from: 0, untilDepth: 2)
        let running = Task { try await workers.run() }
        for call in first { #expect(try await call.value == .confirmed) }
        let held = await Self.submit(queue, 5, from: 2, untilDepth: 0)
        for call in held { #expect(try await call.value == .confirmed) }
        #expect(broker.publishCalls == 2, "five calls within the interval: one round")
        #expect(metrics.rounds(.afterInterval).value == 1)
        try await Task.sleep(for: interval)
        let lone = await Self.submit(queue, 1, from: 7, untilDepth: 0)
        #expect(try await lone[0].value == .confirmed)
        #expect(broker.publishCalls == 3)
        #expect(metrics.rounds(.atOnce).value == 2, "the first round and the lone call after an idle interval")
        #expect(metrics.roundCalls.count == 3)
        workers.shutdown()
        try await running.value
    }
}
