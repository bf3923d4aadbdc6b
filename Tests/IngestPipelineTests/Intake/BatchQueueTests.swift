import Synchronization
import Testing

@testable import IngestPipeline

@Suite struct BatchQueueTests {
    typealias Queue = BatchQueue<Int, Int>

    /// A worker that answers each item with its work doubled, until the queue ends.
    func startWorker(_ queue: Queue) -> Task<Int, Never> {
        Task {
            var handled = 0
            while let item = await queue.next() {
                item.finish(.success(item.work * 2))
                handled += 1
            }
            return handled
        }
    }

    @Test func callsGetTheirWorkersOutcome() async throws {
        let queue = Queue(capacity: 4, maxBytes: 1000)
        let worker = startWorker(queue)
        try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for value in 1...50 {
                group.addTask { (value, try await queue.submit(value, bytes: 10)) }
            }
            for try await (value, outcome) in group {
                #expect(outcome == value * 2)
            }
        }
        queue.shutdown()
        #expect(await worker.value == 50)
    }

    /// `enqueue` returns once the batch is queued, long before a worker answers it (the gateway gives the call's
    /// admission slot back there); the outcome comes later, and only from the worker.
    @Test func enqueueReturnsOnceQueuedAndTheOutcomeComesFromTheWorker() async throws {
        let queue = Queue(capacity: 4, maxBytes: 1000, enqueueTimeout: .seconds(30))
        let pending = try await queue.enqueue(21, bytes: 1)
        #expect(queue.depth == 1)
        let worker = startWorker(queue)
        #expect(try await pending.outcome() == 42)
        queue.shutdown()
        #expect(await worker.value == 1)
    }

    @Test func fullQueueRefusesWithResourceExhaustedAndPushback() async throws {
        let queue = Queue(capacity: 1, maxBytes: 1000, enqueueTimeout: .milliseconds(20))
        let first = Task { try await queue.submit(1, bytes: 1) }  // queued; no worker takes it
        while queue.depth < 1 { await Task.yield() }
        do {
            _ = try await queue.submit(2, bytes: 1)
            Issue.record("a full queue must refuse")
        } catch let error as IngestError {
            #expect(error.code == .overloaded)
            #expect(error.retryAfter == .milliseconds(20))
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(queue.depth == 1)
        let worker = startWorker(queue)
        #expect(try await first.value == 2)
        queue.shutdown()
        _ = await worker.value
    }

    @Test func byteBoundHoldsBackUntilRoomIsMade() async throws {
        let queue = Queue(capacity: 100, maxBytes: 100, enqueueTimeout: .seconds(30))
        let big = Task { try await queue.submit(1, bytes: 80) }
        while queue.depth < 1 { await Task.yield() }
        let waiting = Task { try await queue.submit(2, bytes: 80) }  // does not fit beside the first
        try await Task.sleep(for: .milliseconds(20))
        #expect(queue.depth == 1)
        let worker = startWorker(queue)
        #expect(try await big.value == 2)
        #expect(try await waiting.value == 4)
        queue.shutdown()
        #expect(await worker.value == 2)
    }

    @Test func shutdownRefusesNewWorkAndDrainsQueuedWork() async throws {
        let queue = Queue(capacity: 10, maxBytes: 1000)
        let queued = Task { try await queue.submit(21, bytes: 1) }
        while queue.depth < 1 { await Task.yield() }
        queue.shutdown()
        await #expect(throws: IngestError.self) { _ = try await queue.submit(1, bytes: 1) }
        let worker = startWorker(queue)
        #expect(try await queued.value == 42)
        #expect(await worker.value == 1)
    }

    @Test func workerErrorsReachTheCall() async {
        struct Broken: Error {}
        let queue = Queue(capacity: 2, maxBytes: 100)
        let worker = Task {
            while let item = await queue.next() { item.finish(.failure(Broken())) }
        }
        await #expect(throws: Broken.self) { _ = try await queue.submit(1, bytes: 1) }
        queue.shutdown()
        await worker.value
    }
}

@Suite struct ClampMonitorTests {
    @Test func reportsAWindowAboveTheThresholdOnceItCloses() {
        let monitor = ClampMonitor(threshold: 0.10, windowMilliseconds: 60_000)
        #expect(monitor.record(events: 100, clamped: 11, now: 0) == nil)
        #expect(monitor.record(events: 100, clamped: 0, now: 59_999) == nil)
        #expect(monitor.record(events: 10, clamped: 0, now: 60_000) == nil)  // 11 of 200: 5.5 %
        #expect(monitor.record(events: 10, clamped: 5, now: 120_000) == nil)  // the 60 s window had 0 of 10
    }

    @Test func noReportAtOrBelowTheThreshold() {
        let monitor = ClampMonitor(threshold: 0.10, windowMilliseconds: 1000)
        #expect(monitor.record(events: 10, clamped: 1, now: 0) == nil)
        #expect(monitor.record(events: 1, clamped: 0, now: 1000) == nil)
        #expect(monitor.record(events: 1, clamped: 0, now: 2000) == nil)
    }

    @Test func reportsTheClampedShare() {
        let monitor = ClampMonitor(threshold: 0.10, windowMilliseconds: 1000)
        _ = monitor.record(events: 10, clamped: 5, now: 0)
        let report = monitor.record(events: 1, clamped: 0, now: 1000)
        #expect(report == ClampMonitor.Report(events: 10, clamped: 5))
        #expect(report?.share == 0.5)
    }
}

@Suite struct BatchQueueCancellationTests {
    typealias Queue = BatchQueue<Int, Int>

    @Test func aCancelledCallWaitingForRoomIsWithdrawn() async throws {
        let queue = Queue(capacity: 1, maxBytes: 1000, enqueueTimeout: .seconds(30))
        let first = Task { try await queue.submit(1, bytes: 1) }
        while queue.depth < 1 { await Task.yield() }
        let waiting = Task { try await queue.submit(2, bytes: 1) }
        try await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiting.value }
        // Only the first batch reaches a worker: the withdrawn one was never queued.
        let item = await queue.next()
        #expect(item?.work == 1)
        item?.finish(.success(10))
        #expect(try await first.value == 10)
        #expect(queue.depth == 0)
        queue.shutdown()
        #expect(await queue.next() == nil)
    }

    @Test func aCancelledCallStopsWaitingButItsQueuedBatchIsStillHandedToAWorker() async throws {
        let queue = Queue(capacity: 4, maxBytes: 1000)
        let call = Task { try await queue.submit(7, bytes: 1) }
        while queue.depth < 1 { await Task.yield() }
        call.cancel()
        await #expect(throws: CancellationError.self) { _ = try await call.value }
        let item = await queue.next()
        #expect(item?.work == 7)
        item?.finish(.success(14))  // dropped: nobody waits any more, and nothing traps
        queue.shutdown()
    }

    @Test func aCallCancelledBeforeItStartsIsAnsweredAtOnce() async {
        let queue = Queue(capacity: 4, maxBytes: 1000)
        let call = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await queue.submit(3, bytes: 1)
        }
        await #expect(throws: CancellationError.self) { _ = try await call.value }
        queue.shutdown()
    }
}
