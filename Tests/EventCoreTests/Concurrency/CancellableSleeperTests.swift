import Testing

@testable import EventCore

/// `withDeadline`'s timer: gone as soon as the call ends, however long the deadline, and still firing on time.
@Suite struct CancellableSleeperTests {
    @Test(arguments: [Duration.seconds(99_999_999 * 3600), .seconds(3600), .milliseconds(900)])
    func callsThatFinishFirstLeaveNoTimerBehind(deadline: Duration) async throws {
        // Other suites run meanwhile and arm timers of their own: only a count that grows with the calls fails.
        for round in 0..<2_000 {
            let value = try await withDeadline(deadline) { round }
            #expect(value == round)
        }
        #expect(CancellableSleeper.armed < 1000, "\(CancellableSleeper.armed) timers still armed")
    }

    @Test func theTimerStillEndsAnOperationThatRunsTooLong() async throws {
        let started = ContinuousClock.now
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(50)) { try await CancellableSleeper.sleep(for: .seconds(3600)) }
        }
        // Generous: other suites may keep the cooperative pool busy; a timer that never fires fails.
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test func aSleepCancelledBeforeItStartsEndsAtOnce() async {
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await CancellableSleeper.sleep(for: .seconds(3600))
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test func aShortSleepEndsOnTime() async throws {
        let started = ContinuousClock.now
        try await CancellableSleeper.sleep(for: .milliseconds(20))
        let slept = ContinuousClock.now - started
        #expect(slept >= .milliseconds(19) && slept < .seconds(20))
    }
}
