import EventCore
import Synchronization
import Testing

@testable import IngestPipeline

/// The queue side of `PUBLISH_ROUND_INTERVAL`: a worker holding a round is resumed as soon as the round is full,
/// by the call that fills it, and never stays registered once its hold ended.
@Suite struct RoundHoldTests {
    typealias Queue = BatchQueue<Int, Int>

    /// Submits `count` calls of `events` events and `bytes` bytes each; returns once they are queued.
    static func queue(_ queue: Queue, _ count: Int, events: Int = 1, bytes: Int = 10) async -> [Task<Int, any Error>] {
        let before = queue.depth
        let calls = (0..<count).map { value in
            Task { try await queue.submit(value, bytes: bytes, events: events) }
        }
        while queue.depth < before + count { await Task.yield() }
        return calls
    }

    /// Starts a hold of the round that begins with the next queued call; returns it once the worker is held.
    static func hold(
        _ queue: Queue,
        maxEvents: Int = 1000,
        maxBytes: Int = 1 << 20,
        calls: Int = 1000
    ) async -> (Queue.Item, Task<Bool, Never>) {
        guard let first = await queue.next() else { fatalError("the queue was shut down") }
        let held = Task {
            await queue.waitUntilRoundFills(after: first, maxEvents: maxEvents, maxBytes: maxBytes, calls: calls)
        }
        while queue.heldRounds == 0 { await Task.yield() }
        return (first, held)
    }

    /// (events per call, maxEvents, bytes per call, maxBytes, calls bound): the third call fills the round.
    @Test(arguments: [
        (10, 30, 1, 1 << 20, 1000),  // events: 10 + 10 + 10 reach 30
        (1, 1000, 100, 300, 1000),  // bytes
        (1, 1000, 1, 1 << 20, 3),  // calls: half the dispatch slots wait
    ])
    func theCallThatFillsTheRoundEndsTheHold(
        events: Int,
        maxEvents: Int,
        bytes: Int,
        maxBytes: Int,
        calls: Int
    )
        async throws
    {
        let queue = Queue(capacity: 100, maxBytes: 1 << 20)
        let first = await Self.queue(queue, 1, events: events, bytes: bytes)
        let (item, held) = await Self.hold(queue, maxEvents: maxEvents, maxBytes: maxBytes, calls: calls)
        let second = await Self.queue(queue, 1, events: events, bytes: bytes)
        #expect(queue.heldRounds == 1, "two of three calls do not fill the round")
        let third = await Self.queue(queue, 1, events: events, bytes: bytes)
        #expect(await held.value, "filled")
        #expect(queue.heldRounds == 0)
        let round = queue.round(startingWith: item, maxEvents: maxEvents, maxBytes: maxBytes)
        #expect(round.count == 3)
        for call in round { call.finish(.success(call.work)) }
        for call in first + second + third { _ = try await call.value }
        queue.shutdown()
    }

    @Test func aRoundAlreadyFullIsNotHeld() async throws {
        let queue = Queue(capacity: 100, maxBytes: 1 << 20)
        let calls = await Self.queue(queue, 4, events: 10)
        guard let first = await queue.next() else {
            Issue.record("no call")
            return
        }
        #expect(await queue.waitUntilRoundFills(after: first, maxEvents: 20, maxBytes: 1 << 20, calls: 1000))
        #expect(queue.heldRounds == 0)
        for item in queue.round(startingWith: first, maxEvents: 20, maxBytes: 1 << 20) { item.finish(.success(0)) }
        queue.shutdown()
        while let item = await queue.next() { item.finish(.success(0)) }
        for call in calls { _ = try await call.value }
    }

    @Test func aFullQueueEndsTheHoldSoThatNoCallWaitsForRoomBehindIt() async throws {
        let queue = Queue(capacity: 2, maxBytes: 1 << 20, enqueueTimeout: .seconds(30))
        let calls = await Self.queue(queue, 1)
        let (first, held) = await Self.hold(queue)
        let more = await Self.queue(queue, 2)
        #expect(await held.value)
        #expect(queue.heldRounds == 0, "the queue is at its capacity: the held round makes room")
        for item in queue.round(startingWith: first, maxEvents: 1000, maxBytes: 1 << 20) { item.finish(.success(0)) }
        for call in calls + more { _ = try await call.value }
        queue.shutdown()
    }

    @Test func shutdownEndsTheHold() async throws {
        let queue = Queue(capacity: 100, maxBytes: 1 << 20)
        let calls = await Self.queue(queue, 1)
        let (first, held) = await Self.hold(queue)
        queue.shutdown()
        #expect(await held.value)
        #expect(queue.heldRounds == 0)
        first.finish(.success(0))
        for call in calls { _ = try await call.value }
    }

    @Test func cancellingTheHoldRemovesTheWaiter() async throws {
        let queue = Queue(capacity: 100, maxBytes: 1 << 20)
        let calls = await Self.queue(queue, 1)
        let (first, held) = await Self.hold(queue)
        held.cancel()
        #expect(await held.value == false)
        #expect(queue.heldRounds == 0, "the interval's timer won: the hold is gone from the queue")
        // A call queued later resumes nobody and stays queued for the next round.
        let later = await Self.queue(queue, 1)
        #expect(queue.depth == 1)
        let round = queue.round(startingWith: first, maxEvents: 1000, maxBytes: 1 << 20)
        #expect(round.count == 2)
        for item in round { item.finish(.success(0)) }
        for call in calls + later { _ = try await call.value }
        queue.shutdown()
    }
}
