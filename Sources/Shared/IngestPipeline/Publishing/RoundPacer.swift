/// When a publishing worker's next round may start (`PUBLISH_ROUND_INTERVAL`): at once when the publisher is
/// idle, no sooner than `interval` after the previous round's start when it is under load.
///
/// Under load means: the previous round carried more than one call (calls arrived faster than rounds went) and
/// started less than `interval` ago. A lone call, or calls that come one at a time with the publisher waiting for
/// them, are published at once, whatever their rate: holding them would make them slower without making any
/// message larger. Once held rounds carry many calls the worker stays in the held rhythm, so under steady load
/// each routing key gets at most one message per interval (or per `RoundLimits` cap, whichever comes first); when
/// a round again carries a single call, the next one goes at once.
///
/// Pure logic on instants; the worker does the waiting (`PublishingWorkers`), so the rule is tested without clocks.
struct RoundPacer: Sendable {
    let interval: Duration
    private var previousStart: ContinuousClock.Instant?
    private var previousCalls = 0

    init(interval: Duration) {
        self.interval = interval
    }

    /// The instant the next round may start when its first call is taken at `now`; nil when it goes at once.
    func holdUntil(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        guard interval > .zero, previousCalls > 1, let previousStart else { return nil }
        let earliest = previousStart + interval
        return earliest > now ? earliest : nil
    }

    /// Records a round that started at `start` with `calls` calls.
    mutating func started(at start: ContinuousClock.Instant, calls: Int) {
        previousStart = start
        previousCalls = calls
    }
}
