import EventCore
import Synchronization

/// The bounded queue between `dispatch` calls and the publishing workers (seed scenario 4).
///
/// A call offers its batch and waits for the worker's answer. Room is bounded twice: by batches (`capacity`,
/// `EVENT_BUFFERED_CHANNEL_SIZE`) and by bytes (`maxBytes`), so memory stays bounded whatever the batch sizes. A call
/// that finds no room waits at most `enqueueTimeout` (1 s) and then gets RESOURCE_EXHAUSTED with a
/// `grpc-retry-pushback-ms` hint; nothing of it was enqueued. After `shutdown()` new calls get UNAVAILABLE and the
/// workers drain what is queued.
public final class BatchQueue<Work: Sendable, Outcome: Sendable>: Sendable {
    /// A queued batch and the call waiting for its outcome.
    public struct Item: Sendable {
        public let work: Work
        let bytes: Int
        let completion: CheckedContinuation<Outcome, any Error>

        /// Answers the waiting call (exactly once).
        public func finish(_ result: Result<Outcome, any Error>) {
            completion.resume(with: result)
        }
    }

    private struct Waiter {
        let id: UInt64
        let item: Item
    }

    private struct State {
        var queued: [Item] = []
        var head = 0
        var queuedBytes = 0
        var waitingForRoom: [Waiter] = []
        var idleWorkers: [CheckedContinuation<Item?, Never>] = []
        var nextWaiterID: UInt64 = 0
        var accepting = true

        var depth: Int { queued.count - head }

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

    /// Enqueues `work` (of `bytes` bytes) and returns the worker's outcome; throws RESOURCE_EXHAUSTED when there was
    /// no room for `enqueueTimeout`, UNAVAILABLE after shutdown, or whatever the worker failed with.
    public func submit(_ work: Work, bytes: Int) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let item = Item(work: work, bytes: bytes, completion: continuation)
            let action = state.withLock { state -> SubmitAction in
                guard state.accepting else { return .refuse }
                if !state.idleWorkers.isEmpty {
                    return .handOff(state.idleWorkers.removeFirst())
                }
                if state.waitingForRoom.isEmpty && fits(bytes, in: state) {
                    state.queued.append(item)
                    state.queuedBytes += bytes
                    return .queued
                }
                state.nextWaiterID += 1
                state.waitingForRoom.append(Waiter(id: state.nextWaiterID, item: item))
                return .wait(state.nextWaiterID)
            }
            switch action {
            case .handOff(let worker): worker.resume(returning: item)
            case .queued: break
            case .refuse: item.finish(.failure(IngestError.shuttingDown))
            case .wait(let id):
                Task {
                    try? await Task.sleep(for: enqueueTimeout)  // cancellation only shortens the wait
                    self.expire(id)
                }
            }
        }
    }

    private enum SubmitAction {
        case handOff(CheckedContinuation<Item?, Never>)
        case queued
        case refuse
        case wait(UInt64)
    }

    /// A batch bigger than `maxBytes` alone still fits into an empty queue, so that it is never refused forever.
    private func fits(_ bytes: Int, in state: State) -> Bool {
        state.depth < capacity && (state.queuedBytes + bytes <= maxBytes || state.depth == 0)
    }

    private func expire(_ id: UInt64) {
        let expired = state.withLock { state -> Item? in
            guard let index = state.waitingForRoom.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waitingForRoom.remove(at: index).item
        }
        let pushbackMilliseconds = enqueueTimeout.wholeMilliseconds
        expired?.finish(
            .failure(
                IngestError(
                    .overloaded,
                    "the gateway's queue is full; retry after \(pushbackMilliseconds) ms",
                    retryAfter: enqueueTimeout
                )
            )
        )
    }

    /// The next batch for a worker, waiting for one; nil once shut down and drained.
    public func next() async -> Item? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Item?? in
                if let item = state.popFirst() {
                    admitWaiters(&state)
                    return .some(item)
                }
                if !state.accepting { return .some(nil) }
                state.idleWorkers.append(continuation)
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Moves calls waiting for room into the queue, in arrival order, while they fit.
    private func admitWaiters(_ state: inout State) {
        while let first = state.waitingForRoom.first, fits(first.item.bytes, in: state) {
            state.waitingForRoom.removeFirst()
            state.queued.append(first.item)
            state.queuedBytes += first.item.bytes
        }
    }

    /// Refuses new batches; queued ones are still handed to workers, then `next()` returns nil.
    public func shutdown() {
        let (idle, refused) = state.withLock { state -> ([CheckedContinuation<Item?, Never>], [Item]) in
            state.accepting = false
            let idle = state.depth == 0 ? state.idleWorkers : []
            if state.depth == 0 { state.idleWorkers = [] }
            defer { state.waitingForRoom = [] }
            return (idle, state.waitingForRoom.map(\.item))
        }
        for worker in idle { worker.resume(returning: nil) }
        for item in refused { item.finish(.failure(IngestError.shuttingDown)) }
    }
}
