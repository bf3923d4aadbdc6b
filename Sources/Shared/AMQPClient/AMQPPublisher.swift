public import EventCore
import Synchronization

/// Publishes messages with publisher confirms over one connection owned by one dedicated thread.
///
/// Group commit: the thread takes every call waiting in its queue, publishes all their messages, then waits for
/// the broker's confirms (many messages per wait) and resumes each call when all its messages are confirmed,
/// or as soon as one of them is nacked or returned. On connection loss the calls in flight fail with
/// `connectionClosed`; the thread reconnects (re-applying `declarations`) after `reconnectDelay` and keeps serving.
/// A cancelled call returns at once (see `publish`).
///
/// Bounded: at most `maxQueuedCalls` calls wait for the thread (more are refused with `backlogFull`), and
/// `status` tells callers whether the broker still confirms (a stalled or blocked broker), so they can stop
/// waiting and keep their batch elsewhere. The messages of a call whose caller gave up after the thread sent
/// them may still be confirmed; `lateConfirmedMessages` counts them (the broker got a copy the caller did not
/// wait for).
public final class AMQPPublisher: Sendable {
    let configuration: AMQPConfiguration
    let declarations: [AMQPDeclaration]
    let logger: Logger
    let owner = ThreadOwner(PublisherShared())
    /// See `init`.
    let stallTimeout: Duration
    let maxQueuedCalls: Int
    /// Tests only: runs on the thread after a round's messages were sent, before their confirms are read.
    let afterSending: (@Sendable () -> Void)?
    private let nextCallID = Atomic<Int>(0)
    let lateConfirms = Atomic<Int>(0)

    /// - Parameters:
    ///   - stallTimeout: a broker that owes confirms and sent none for this long is stalled: `shutdown()` then
    ///     abandons the connection instead of waiting for it. Default 1 s.
    ///   - maxQueuedCalls: calls that may wait for the thread while it is busy with a round; default 16.
    public convenience init(
        configuration: AMQPConfiguration,
        declarations: [AMQPDeclaration],
        logger: Logger,
        stallTimeout: Duration = .seconds(1),
        maxQueuedCalls: Int = 16
    ) {
        self.init(
            configuration: configuration,
            declarations: declarations,
            logger: logger,
            stallTimeout: stallTimeout,
            maxQueuedCalls: maxQueuedCalls,
            afterSending: nil
        )
    }

    init(
        configuration: AMQPConfiguration,
        declarations: [AMQPDeclaration],
        logger: Logger,
        stallTimeout: Duration = .seconds(1),
        maxQueuedCalls: Int = 16,
        afterSending: (@Sendable () -> Void)?
    ) {
        precondition(maxQueuedCalls > 0, "a publisher must take at least one call")
        self.configuration = configuration
        self.declarations = declarations
        self.logger = logger.with(configuration.logMetadata)
        self.stallTimeout = stallTimeout
        self.maxQueuedCalls = maxQueuedCalls
        self.afterSending = afterSending
    }

    /// True while the publisher holds an open connection with confirms enabled.
    public var isConnected: Bool {
        owner.withLock { $0.isConnected }
    }

    /// The connection, confirm and queue state the thread last reported.
    public var status: PublisherStatus {
        owner.withLock { $0.shared.status }
    }

    /// Messages the broker confirmed after their caller had stopped waiting (cancelled): copies the caller may
    /// also have kept elsewhere (the gateway's spool), duplicates the sinks remove by event id.
    public var lateConfirmedMessages: Int {
        lateConfirms.load(ordering: .relaxed)
    }

    /// Spawns the publishing thread, which connects at once. Calls made before `start` wait for it.
    public func start() {
        owner.start(name: "amqp-publish") { [self] in
            PublisherLoop(publisher: self).run()
        }
    }

    /// Publishes `messages` and returns when the broker confirmed every one of them.
    ///
    /// Throws `publishNacked`, `publishReturned` (a mandatory message with no matching binding),
    /// `connectionFailed`/`connectionClosed`/`channelClosed` (the messages may or may not have been delivered),
    /// `backlogFull` when `maxQueuedCalls` calls already wait (nothing was sent), or `shutdown` once `shutdown()`
    /// was called.
    ///
    /// Cancellation: when the calling task is cancelled, `publish` throws `CancellationError` at once. A call
    /// still queued (the thread has not taken it) is withdrawn: none of its messages is sent. A call the thread
    /// already took stays in flight: its messages may still reach the broker (treat them as maybe delivered),
    /// and the confirm, nack, return or loss that later settles them is ignored.
    public func publish(_ messages: [OutgoingMessage]) async throws {
        guard !messages.isEmpty else { return }
        let id = nextCallID.add(1, ordering: .relaxed).oldValue
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let refusal = owner.update { state -> (any Error)? in
                    // Read under the lock: a cancellation handler that ran before this found nothing to cancel.
                    guard !Task.isCancelled else { return CancellationError() }
                    guard state.acceptsWork else { return AMQPError.publisherShutDown }
                    guard state.queue.count < maxQueuedCalls else { return AMQPError.backlogFull(maxQueuedCalls) }
                    state.queue.append(PublishRequest(id: id, messages: messages))
                    state.waiting[id] = continuation
                    return nil
                }
                if let refusal {
                    continuation.resume(throwing: refusal)
                }
            }
        } onCancel: {
            cancel(call: id)
        }
    }

    /// The task awaiting call `id` was cancelled: answers it now and withdraws it if it is still queued. Does
    /// nothing once the call was answered, or before it is registered (it then sees the cancellation itself).
    private func cancel(call id: Int) {
        let continuation = owner.withLock { state in
            state.queue.removeAll { $0.id == id }
            return state.waiting.removeValue(forKey: id)
        }
        continuation?.resume(throwing: CancellationError())
    }

    /// Stops accepting calls; the thread finishes the calls already accepted, closes the connection and exits.
    ///
    /// A stalled broker (blocked, or owing confirms and silent for `stallTimeout`) is not waited for: its
    /// connection is aborted at once, the calls in flight fail with `connectionClosed` (their messages may or may
    /// not have reached the broker) and the thread exits. Without that a frozen broker, which neither confirms
    /// nor closes, would hold the thread (even in a send the broker stopped reading) past any drain deadline.
    public func shutdown() {
        let neverStarted = owner.requestStop(ifNeverStarted: { state in
            // Nothing was taken by a thread: every call still waiting is queued.
            state.queue.removeAll()
            defer { state.waiting.removeAll() }
            return Array(state.waiting.values)
        })
        for continuation in neverStarted ?? [] {
            continuation.resume(throwing: AMQPError.publisherShutDown)
        }
        abortIfStalled()
    }

    /// Returns once the thread has exited after `shutdown()` (at once if it never started).
    public func waitUntilStopped() async {
        await owner.waitUntilStopped()
    }
}

extension AMQPError {
    static var publisherShutDown: AMQPError {
        AMQPError(code: .shutdown, message: "the publisher is shut down; publish through a running publisher")
    }

    static func backlogFull(_ limit: Int) -> AMQPError {
        AMQPError(
            code: .backlogFull,
            message: "the publisher already holds \(limit) calls waiting for the broker; keep the messages elsewhere "
                + "(the spool) or retry later"
        )
    }
}
