import Testing

@testable import HTTP2Server

@Suite struct RateLimitedLogTests {
    @Test func oneLinePerIntervalCountingWhatWasLeftOut() {
        var log = RateLimitedLog(interval: .seconds(10))
        let start = ContinuousClock.now
        #expect(log.admit(now: start) == 0)
        #expect(log.admit(now: start + .seconds(1)) == nil)
        #expect(log.admit(now: start + .seconds(9)) == nil)
        #expect(log.admit(now: start + .seconds(10)) == 2)
        #expect(log.admit(now: start + .seconds(11)) == nil)
        #expect(log.admit(now: start + .seconds(30)) == 1)
        #expect(log.admit(now: start + .seconds(41)) == 0)
    }
}
