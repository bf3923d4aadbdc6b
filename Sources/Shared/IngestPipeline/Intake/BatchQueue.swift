import EventCore
import Synchronization

/// The bounded queue between `dispatch` calls and the publishing workers (seed scenario 4).
///
/// A call offers its batch and waits for the worker's answer. Room is bounded twice: by batches (`capacity`,
/// `EVENT_BUFFERED_CHANNEL_SIZE`) and by bytes (`maxBytes`), so memory stays bounded whatever the batch sizes. A call
/// that finds no room waits at most `enqueueTimeout` (1 s, `withDeadline`) and then gets `IngestError.overloaded`
/// with that pushback; nothing of it was enqueued. After `shutdown()` new calls get `draining` and the workers drain
/// what is queued. A call whose task is cancelled stops waiting at once: while it waits for room it is withdrawn;
/// once queued, its batch is still published (a batch handed to a worker is never torn down half-way) and the
/// outcome is dropped.
public final class BatchQueue<Work: Sendable, Outcome: Sendable>: Sendable {
    /// A queued batch and the call waiting for its outcome.
    public struct Item: Sendable {
        public let work: Work
        let bytes: Int
        /// What the item weighs in a round's event bound (`nextRound`).
        let events: Int
        let reply: Reply<Outcome>

        /// Answers the waiting call (at most once; a call that gave up drops the answer).
        public func finish(_ result: Result<Outcome, any Error>) {
            reply.resolve(result)
        }
    }

    private struct RoomWaiter {
        let id: UInt64
        let item: Item
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct IdleWorker {
        let id: UInt64
        let continuation: CheckedContinuation<Item?, Never>
    }

    private struct State {
        var queued: [Item] = []
        var head = 0
        var queuedBytes = 0
        /// Calls waiting for room, oldest first: admitted in that order when room is made.
        var waitingForRoom: [RoomWaiter] = []
        /// Workers waiting in `next()`, longest waiting first.
        var idleWorkers: [IdleWorker] = []
        var nextWaiterID: UInt64 = 0
        var accepting = true

        var depth: Int { queued.count - head }

        mutating func append(_ item: Item) {
            queued.append(item)
            queuedBytes += item.bytes
        }

        mutating func popFirst() -> Item? {
            guard head < queued.count else { return nil }
            let item = queued[head]
            head += 1
            queuedBytes -= item.bytes
            if head > 64 && head * 2 > queued.count {
                queued.removeFirst(head)
                head = 0
            }
            return item
        }
    }

    public let capacity: Int
    public let maxBytes: Int
    public let enqueueTimeout: Duration
    private let state = Mutex(State())

    public init(capacity: Int, maxBytes: Int, enqueueTimeout: Duration = .seconds(1)) {
        precondition(capacity > 0 && maxBytes > 0, "queue bounds must be positive")
        self.capacity = capacity
        self.maxBytes = maxBytes
        self.enqueueTimeout = enqueueTimeout
    }

    /// Batches waiting for a worker (not counting calls still waiting for room).
    public var depth: Int { state.withLock { $0.depth } }

    /// Enqueues `work` (of `bytes` bytes) and returns the worker's outcome; throws `IngestError.overloaded` when
    /// there was no room for `enqueueTimeout`, `draining` after shutdown, `CancellationError` when the calling task
    /// is cancelled, or whatever the worker failed with.
    public func submit(_ work: Work, bytes: Int, events: Int = 1) async throws -> Outcome {
        let item = Item(work: work, bytes: bytes, events: events, reply: Reply())
        let action = state.withLock { state -> SubmitAction in
            guard state.accepting else { return .refuse }
            if !state.idleWorkers.isEmpty { return .handOff(state.idleWorkers.removeFirst().continuation) }
            guard state.waitingForRoom.isEmpty && fits(bytes, in: state) else { return .waitForRoom }
            state.append(item)
            return .queued
        }
        switch action {
        case .handOff(let worker): worker.resume(returning: item)
        case .queued: break
        case .refuse: throw IngestError.shuttingDown
        case .waitForRoom:
            do {
                try await withDeadline(enqueueTimeout) { try await self.waitForRoom(item) }
            } catch let error as DeadlineExceeded {
                let milliseconds = enqueueTimeout.wholeMilliseconds
                throw IngestError(
                    .overloaded,
                    "the gateway's queue is full; retry after \(milliseconds) ms",
                    retryAfter: enqueueTimeout,
                    cause: error
                )
            }
        }
        return try await item.reply.value()
    }

    private enum SubmitAction {
        case handOff(CheckedContinuation<Item?, Never>)
        case queued
        case refuse
        case waitForRoom
    }

    /// A batch bigger than `maxBytes` alone still fits into an empty queue, so that it is never refused forever.
    private func fits(_ bytes: Int, in state: State) -> Bool {
        state.depth < capacity && (state.queuedBytes + bytes <= maxBytes || state.depth == 0)
    }

    /// Waits in line until `item` is admitted into the queue (by `next()` making room), withdrawn by
    /// cancellation, or refused by `shutdown()`.
    private func waitForRoom(_ item: Item) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (outcome, worker) = state.withLock {
                    state -> (Result<Void, any Error>?, CheckedContinuation<Item?, Never>?) in
                    if Task.isCancelled { return (.failure(CancellationError()), nil) }
                    guard state.accepting else { return (.failure(IngestError.shuttingDown), nil) }
                    // Room may have been made, and every worker gone idle, since `submit` looked.
                    if !state.idleWorkers.isEmpty {
                        return (.success(()), state.idleWorkers.removeFirst().continuation)
                    }
                    if state.waitingForRoom.isEmpty && fits(item.bytes, in: state) {
                        state.append(item)
                        return (.success(()), nil)
                    }
                    state.waitingForRoom.append(RoomWaiter(id: id, item: item, continuation: continuation))
                    return (nil, nil)
                }
                worker?.resume(returning: item)
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> RoomWaiter? in
                guard let index = state.waitingForRoom.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waitingForRoom.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// The next batch for a worker, waiting for one; nil once shut down and drained, or when the worker's task
    /// is cancelled while it waits.
    public func next() async -> Item? {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let (ready, admitted) = state.withLock { state -> (Item??, [RoomWaiter]) in
                    if let item = state.popFirst() {
                        return (.some(item), admitWaiters(&state))
                    }
                    if !state.accepting || Task.isCancelled { return (.some(nil), []) }
                    state.idleWorkers.append(IdleWorker(id: id, continuation: continuation))
                    return (.none, [])
                }
                for waiter in admitted { waiter.continuation.resume() }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let worker = state.withLock { state -> IdleWorker? in
                guard let index = state.idleWorkers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.idleWorkers.remove(at: index)
            }
            worker?.continuation.resume(returning: nil)
        }
    }

    /// The next publish round: the oldest batch (waiting for one) and every batch queued behind it while the round
    /// stays within `maxEvents` and `maxBytes` (the first batch always goes, whatever its size). Empty once shut
    /// down and drained, or when the worker's task is cancelled while it waits.
    public func nextRound(maxEvents: Int, maxBytes: Int) async -> [Item] {
        guard let first = await next() else { return [] }
        var events = first.events
        var bytes = first.bytes
        let (more, admitted) = state.withLock { state -> ([Item], [RoomWaiter]) in
            var more: [Item] = []
            while state.head < state.queued.count {
                let candidate = state.queued[state.head]
                guard events + candidate.events <= maxEvents, bytes + candidate.bytes <= maxBytes else { break }
                events += candidate.events
                bytes += candidate.bytes
                if let item = state.popFirst() { more.append(item) }
            }
            return (more, more.isEmpty ? [] : admitWaiters(&state))
        }
        for waiter in admitted { waiter.continuation.resume() }
        return [first] + more
    }

    /// Moves calls waiting for room into the queue, in arrival order, while they fit; returns them so that their
    /// callers are resumed after the lock is released.
    private func admitWaiters(_ state: inout State) -> [RoomWaiter] {
        var admitted: [RoomWaiter] = []
        while let first = state.waitingForRoom.first, fits(first.item.bytes, in: state) {
            state.waitingForRoom.removeFirst()
            state.append(first.item)
            admitted.append(first)
        }
        return admitted
    }

    /// Refuses new batches; queued ones are still handed to workers, then `next()` returns nil.
    public func shutdown() {
        let (idle, refused) = state.withLock { state -> ([IdleWorker], [RoomWaiter]) in
            state.accepting = false
            let idle = state.depth == 0 ? state.idleWorkers : []
            if state.depth == 0 { state.idleWorkers = [] }
            defer { state.waitingForRoom = [] }
            return (idle, state.waitingForRoom)
        }
        for worker in idle { worker.continuation.resume(returning: nil) }
        for waiter in refused { waiter.continuation.resume(throwing: IngestError.shuttingDown) }
    }
}
