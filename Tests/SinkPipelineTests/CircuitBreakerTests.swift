import EventCore
import Testing

@testable import ClickHouseClient
@testable import SinkPipeline

@Suite struct CircuitBreakerTests {
    @Test func opensWhileTheDatabaseIsUnhealthyAndClosesWhenItIsBack() throws {
        let health = try SinkTestSupport.health()
        let gauge = MetricsRegistry().gauge("g", help: "g")
        let breaker = CircuitBreaker(queue: "q", health: health, logger: SinkTestSupport.logger, gauge: gauge)
        #expect(!breaker.isOpen)
        health.record(check: 1, problem: "connection refused")
        #expect(breaker.isOpen)
        #expect(breaker.openReason == .databaseUnhealthy)
        #expect(gauge.value == 1)
        health.record(check: 2, problem: "connection refused")
        #expect(breaker.isOpen)
        health.record(check: 3, problem: nil)
        #expect(!breaker.isOpen)
        #expect(gauge.value == 0)
    }

    @Test func opensAfterTheThresholdOfConsecutiveFailuresOnly() throws {
        let health = try SinkTestSupport.health()
        let breaker = CircuitBreaker(queue: "q", health: health, failureThreshold: 3, logger: SinkTestSupport.logger)
        breaker.recordFailure()
        breaker.recordFailure()
        breaker.recordSuccess()
        breaker.recordFailure()
        breaker.recordFailure()
        #expect(!breaker.isOpen)
        breaker.recordFailure()
        #expect(breaker.isOpen)
        #expect(breaker.openReason == .insertFailures)
    }

    @Test func closesOnlyAfterAHealthCheckThatStartedAfterItOpened() throws {
        let health = try SinkTestSupport.health()
        health.record(check: 4, problem: nil)
        let breaker = CircuitBreaker(queue: "q", health: health, failureThreshold: 1, logger: SinkTestSupport.logger)
        breaker.recordFailure()
        #expect(breaker.isOpen)
        health.record(check: 4, problem: nil)  // the check in progress when the insert failed
        #expect(breaker.isOpen)
        health.record(check: 5, problem: nil)
        #expect(!breaker.isOpen)
        breaker.recordFailure()
        #expect(breaker.isOpen, "failures counted from zero again after closing")
    }

    @Test func anUnhealthyCheckKeepsAFailureOpenedBreakerOpen() throws {
        let health = try SinkTestSupport.health()
        let breaker = CircuitBreaker(queue: "q", health: health, failureThreshold: 1, logger: SinkTestSupport.logger)
        breaker.recordFailure()
        health.record(check: 1, problem: "down")
        #expect(breaker.isOpen)
        #expect(breaker.openReason == .insertFailures)
        health.record(check: 2, problem: nil)
        #expect(!breaker.isOpen)
    }
}
