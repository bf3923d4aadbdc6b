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

    /// A worker holding a round (`waitUntilRoundFills`): resumed once the queue holds `events` events, `bytes`
    /// bytes or `calls` calls more than the round's first call, once the queue is full, or on shutdown.
    private struct FillWaiter {
        let id: UInt64
        let events: Int
        let bytes: Int
        let calls: Int
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var queued: [Item] = []
        var head = 0
        var queuedBytes = 0
        var queuedEvents = 0
        /// Calls waiting for room, oldest first: admitted in that order when room is made.
        var waitingForRoom: [RoomWaiter] = []
        /// Workers waiting in `next()`, longest waiting first.
        var idleWorkers: [IdleWorker] = []
        /// Workers holding a round until it fills (or their interval ends).
        var fillWaiters: [FillWaiter] = []
        var nextWaiterID: UInt64 = 0
        var accepting = true

        var depth: Int { queued.count - head }

        /// Removes and returns the fill waiters whose round is full now: enough queued behind its first call,
        /// the queue at `capacity` or with calls waiting for room, or the queue shut down.
        mutating func takeFilled(capacity: Int) -> [FillWaiter] {
            guard !fillWaiters.isEmpty else { return [] }
            let full = depth >= capacity || !waitingForRoom.isEmpty || !accepting
            let (events, bytes, calls) = (queuedEvents, queuedBytes, depth)
            var filled: [FillWaiter] = []
            var holding: [FillWaiter] = []
            for waiter in fillWaiters {
                let done = full || events >= waiter.events || bytes >= waiter.bytes || calls >= waiter.calls
                if done { filled.append(waiter) } else { holding.append(waiter) }
            }
            fillWaiters = holding
            return filled
        }

        mutating func append(_ item: Item) {
            queued.append(item)
            queuedBytes += item.bytes
            queuedEvents += item.events
        }

        mutating func popFirst() -> Item? {
            guard head < queued.count else { return nil }
            let item = queued[head]
            head += 1
            queuedBytes -= item.bytes
            queuedEvents -= item.events
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
        try await enqueue(work, bytes: bytes, events: events).outcome()
    }

    /// A queued batch's answer, awaited once (`outcome()`).
    public struct Pending: Sendable {
        let reply: Reply<Outcome>

        /// The worker's outcome; `CancellationError` when the calling task is cancelled first (the batch is still
        /// published).
        public func outcome() async throws -> Outcome {
            try await reply.value()
        }
    }

    /// Enqueues `work` as `submit` does, and returns as soon as it is queued (or handed to a worker), so that the
    /// caller can let go of what it no longer needs before it waits for the outcome.
    public func enqueue(_ work: Work, bytes: Int, events: Int = 1) async throws -> Pending {
        let item = Item(work: work, bytes: bytes, events: events, reply: Reply())
        let action = state.withLock { state -> SubmitAction in
            guard state.accepting else { return .refuse }
            if !state.idleWorkers.isEmpty { return .handOff(state.idleWorkers.removeFirst().continuation) }
            guard state.waitingForRoom.isEmpty && fits(bytes, in: state) else { return .waitForRoom }
            state.append(item)
            return .queued(state.takeFilled(capacity: capacity))
        }
        switch action {
        case .handOff(let worker): worker.resume(returning: item)
        case .queued(let filled): for waiter in filled { waiter.continuation.resume(returning: true) }
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
        return Pending(reply: item.reply)
    }

    private enum SubmitAction {
        case handOff(CheckedContinuation<Item?, Never>)
        case queued([FillWaiter])
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
                let (outcome, worker, filled) = state.withLock {
                    state -> (Result<Void, any Error>?, CheckedContinuation<Item?, Never>?, [FillWaiter]) in
                    if Task.isCancelled { return (.failure(CancellationError()), nil, []) }
                    guard state.accepting else { return (.failure(IngestError.shuttingDown), nil, []) }
                    // Room may have been made, and every worker gone idle, since `submit` looked.
                    if !state.idleWorkers.isEmpty {
                        return (.success(()), state.idleWorkers.removeFirst().continuation, [])
                    }
                    if state.waitingForRoom.isEmpty && fits(item.bytes, in: state) {
                        state.append(item)
                        return (.success(()), nil, state.takeFilled(capacity: capacity))
                    }
                    state.waitingForRoom.append(RoomWaiter(id: id, item: item, continuation: continuation))
                    // A full queue ends every hold: the held rounds make room.
                    return (nil, nil, state.takeFilled(capacity: capacity))
                }
                worker?.resume(returning: item)
                for waiter in filled { waiter.continuation.resume(returning: true) }
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
        return round(startingWith: first, maxEvents: maxEvents, maxBytes: maxBytes)
    }

    /// A publish round that starts with `first` (taken by `next()`): `first` and every batch queued behind it while
    /// the round stays within `maxEvents` and `maxBytes`.
    public func round(startingWith first: Item, maxEvents: Int, maxBytes: Int) -> [Item] {
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

    /// Holds the round that starts with `first` until it is full: the queue holds enough behind `first` to reach
    /// `maxEvents` or `maxBytes`, or `calls` calls are in it with `first`, or the queue is full (calls wait for
    /// room), or it is shut down: then true, at once when that is already so. False when the worker's task is
    /// cancelled first (`withDeadline` cancels it when the worker's interval ends first; the waiter is removed).
    @discardableResult
    public func waitUntilRoundFills(after first: Item, maxEvents: Int, maxBytes: Int, calls: Int) async -> Bool {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let waiter = FillWaiter(
                    id: id,
                    events: maxEvents - first.events,
                    bytes: maxBytes - first.bytes,
                    calls: calls - 1,
                    continuation: continuation
                )
                let (cancelled, filled) = state.withLock { state -> (Bool, [FillWaiter]) in
                    if Task.isCancelled { return (true, []) }
                    state.fillWaiters.append(waiter)
                    return (false, state.takeFilled(capacity: capacity))
                }
                if cancelled { continuation.resume(returning: false) }
                for waiter in filled { waiter.continuation.resume(returning: true) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> FillWaiter? in
                guard let index = state.fillWaiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.fillWaiters.remove(at: index)
            }
            waiter?.continuation.resume(returning: false)
        }
    }

    /// Rounds held by workers right now (`waitUntilRoundFills`): 0 once every hold has ended.
    var heldRounds: Int { state.withLock { $0.fillWaiters.count } }

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
        let (idle, refused, held) = state.withLock { state -> ([IdleWorker], [RoomWaiter], [FillWaiter]) in
            state.accepting = false
            let idle = state.depth == 0 ? state.idleWorkers : []
            if state.depth == 0 { state.idleWorkers = [] }
            defer { state.waitingForRoom = [] }
            // Draining: held rounds go at once.
            return (idle, state.waitingForRoom, state.takeFilled(capacity: capacity))
        }
        for worker in idle { worker.continuation.resume(returning: nil) }
        for waiter in held { waiter.continuation.resume(returning: true) }
        for waiter in refused { waiter.continuation.resume(throwing: IngestError.shuttingDown) }
    }
}
