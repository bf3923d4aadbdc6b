import Foundation
import TestSupport
import Testing

@testable import EventCore

@Suite struct ThreadOwnerTests {
    /// What the tests' threads share with the test: a queue of work and a count of what the thread served.
    struct Work: Sendable {
        var queue: [String] = []
        var served: [String] = []
    }

    /// A body that serves the queue until a stop is requested, then serves what is left and returns.
    static func serve(_ owner: ThreadOwner<Work>, journal: Journal) -> @Sendable () -> Void {
        {
            journal.append("body on owner thread: \(owner.isOnOwnerThread), named \(Thread.current.name ?? "-")")
            while true {
                let (batch, stopping) = owner.wait(
                    until: .now + .seconds(10),
                    for: { !$0.queue.isEmpty || $0.isStopping },
                    then: { state in
                        defer { state.queue.removeAll() }
                        return (state.queue, state.isStopping)
                    }
                )
                owner.assertOnOwnerThread()
                owner.update { $0.served += batch }
                if batch.isEmpty && stopping { return }
            }
        }
    }

    @Test func theThreadServesWorkUntilAStopAndThenResumesTheWaiters() async {
        let owner = ThreadOwner(Work())
        let journal = Journal()
        #expect(owner.phase == .created)
        owner.update { $0.queue.append("before start") }
        #expect(owner.start(name: "owner-test", body: Self.serve(owner, journal: journal)))
        let startedAgain = owner.start(name: "owner-test") {}
        #expect(!startedAgain, "only the first start spawns a thread")
        #expect(owner.phase == .running)
        let accepted = owner.update { state -> Bool in
            guard state.acceptsWork else { return false }
            state.queue.append("while running")
            return true
        }
        #expect(accepted)
        async let first: Void = owner.waitUntilStopped()
        async let second: Void = owner.waitUntilStopped()
        owner.requestStop()
        _ = await (first, second)
        #expect(owner.phase == .stopped)
        #expect(owner.withLock { $0.served } == ["before start", "while running"])
        #expect(journal.all == ["body on owner thread: true, named owner-test"])
        #expect(!owner.isOnOwnerThread)
        #expect(!owner.withLock { $0.acceptsWork })
        await owner.waitUntilStopped()
    }

    @Test func aStopBeforeStartHandsTheQueuedWorkBackAndNothingRuns() async {
        let owner = ThreadOwner(Work())
        owner.update { $0.queue += ["a", "b"] }
        let waiting = Task { await owner.waitUntilStopped() }
        let handedBack = owner.requestStop(ifNeverStarted: { state in
            defer { state.queue.removeAll() }
            return state.queue
        })
        #expect(handedBack == ["a", "b"])
        #expect(owner.phase == .stopped)
        await waiting.value
        let started = owner.start(name: "owner-test") { Issue.record("a stopped owner must not run its body") }
        #expect(!started)
        #expect(owner.requestStop(ifNeverStarted: { _ in 1 }) == nil, "only the first stop sees a never-started owner")
        await owner.waitUntilStopped()
    }

    @Test func aStopRequestWhileRunningIsStoppingUntilTheBodyReturns() async {
        let owner = ThreadOwner(Work())
        let release = ThreadOwner(false)
        owner.start(name: "owner-test") {
            release.wait(until: .now + .seconds(10), for: { $0.shared }, then: { _ in })
        }
        #expect(owner.requestStop(ifNeverStarted: { _ in 1 }) == nil)
        #expect(owner.phase == .stopping)
        #expect(!owner.withLock { $0.acceptsWork })
        release.update { $0.shared = true }
        await owner.waitUntilStopped()
        #expect(owner.phase == .stopped)
    }

    @Test func waitReturnsAtTheDeadlineWhenNothingHappens() {
        let owner = ThreadOwner(Work())
        let started = ContinuousClock.now
        let count = owner.wait(until: .now + .milliseconds(50), for: { !$0.queue.isEmpty }, then: { $0.queue.count })
        #expect(count == 0)
        #expect(ContinuousClock.now - started >= .milliseconds(50))
    }

    @Test func aStopRequestWakesASleepingThreadAtOnce() async {
        let owner = ThreadOwner(Work())
        owner.start(name: "owner-test") {
            owner.wait(until: .now + .seconds(30), for: { $0.isStopping }, then: { _ in })
        }
        let started = ContinuousClock.now
        owner.requestStop()
        await owner.waitUntilStopped()
        #expect(ContinuousClock.now - started < .seconds(20), "the wait asked for 30 s")
    }

    #if DEBUG
    @Test func assertOnOwnerThreadTrapsOffTheOwnerThreadInDebugBuilds() async {
        await #expect(processExitsWith: .failure) {
            let owner = ThreadOwner(Work())
            owner.assertOnOwnerThread()
        }
    }
    #endif
}
