import Testing

@testable import EventCore

/// A flood of log-worthy events writes a bounded number of lines, and the lines left out are reported.
@Suite struct LogRateLimiterTests {
    @Test func atMostNLinesPerKeyPerSecondThenTheCountOfThoseLeftOut() {
        let limiter = LogRateLimiter(linesPerSecond: 3)
        let start = ContinuousClock.now
        let first = (0..<100).map { limiter.admit("INVALID_ARGUMENT", now: start + .milliseconds($0)) }
        #expect(first.prefix(3) == [0, 0, 0])
        #expect(first.dropFirst(3).allSatisfy { $0 == nil })
        // Another key has its own budget.
        #expect(limiter.admit("UNAUTHENTICATED", now: start + .milliseconds(500)) == 0)
        // The next window's first line says how many were left out.
        #expect(limiter.admit("INVALID_ARGUMENT", now: start + .milliseconds(1000)) == 97)
        #expect(limiter.admit("INVALID_ARGUMENT", now: start + .milliseconds(1001)) == 0)
    }

    @Test func theLoggerWritesTheSuppressedCountAndDropsTheRest() {
        let sink = LogSink.capturing()
        let logger = Logger(label: "t", minimumLevel: .info, metadata: [:], sink: sink)
        let limiter = LogRateLimiter(linesPerSecond: 2)
        for index in 0..<1000 {
            logger.log(.info, limitedBy: limiter, key: "k", "batch rejected", ["n": .int(index)])
        }
        #expect(sink.captured.count == 2)
        #expect(sink.captured.allSatisfy { !$0.contains("log.suppressed") })
        // A disabled level neither writes nor spends the budget.
        logger.log(.debug, limitedBy: LogRateLimiter(linesPerSecond: 1), key: "k", "hidden")
        #expect(sink.captured.count == 2)
    }
}
