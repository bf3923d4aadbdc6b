import Testing

@testable import IngestPipeline

/// `PUBLISH_ROUND_INTERVAL`: when a publishing worker's next round may start. Pure logic on instants.
@Suite struct RoundPacerTests {
    static let interval = Duration.milliseconds(250)
    static let start = ContinuousClock.now

    @Test func theFirstRoundGoesAtOnce() {
        #expect(RoundPacer(interval: Self.interval).holdUntil(now: Self.start) == nil)
    }

    /// (calls in the previous round, time since it started, held until its start + interval?)
    @Test(arguments: [
        (1, Duration.milliseconds(10), false),  // one call at a time: the publisher keeps up, no load
        (2, .milliseconds(10), true),  // calls queued up while a round was in flight: under load
        (500, .zero, true),
        (2, .milliseconds(249), true),
        (2, .milliseconds(250), false),  // the interval has passed: idle
        (2, .seconds(3), false),
    ])
    func underLoadARoundWaitsForTheInterval(previousCalls: Int, elapsed: Duration, held: Bool) {
        var pacer = RoundPacer(interval: Self.interval)
        pacer.started(at: Self.start, calls: previousCalls)
        let until = pacer.holdUntil(now: Self.start + elapsed)
        #expect(until == (held ? Self.start + Self.interval : nil))
    }

    @Test func aZeroIntervalNeverHolds() {
        var pacer = RoundPacer(interval: .zero)
        pacer.started(at: Self.start, calls: 1000)
        #expect(pacer.holdUntil(now: Self.start) == nil)
    }

    @Test func aRoundOfOneCallEndsTheHeldRhythm() {
        var pacer = RoundPacer(interval: Self.interval)
        pacer.started(at: Self.start, calls: 40)
        #expect(pacer.holdUntil(now: Self.start + .milliseconds(1)) != nil)
        pacer.started(at: Self.start + Self.interval, calls: 1)
        #expect(pacer.holdUntil(now: Self.start + Self.interval + .milliseconds(1)) == nil)
    }
}
