/// One `publish` call waiting for the publishing thread.
struct PublishRequest: Sendable {
    /// The call's number, unique per publisher; its continuation waits in `PublisherShared.waiting` under it.
    let id: Int
    let messages: [OutgoingMessage]
}

/// What callers and the publishing thread share, under the publisher's `ThreadOwner` (whose phase says whether
/// calls are taken: queued before `start`, served while running, drained while stopping; the queue is empty once
/// stopped).
struct PublisherShared: Sendable {
    /// Calls the thread has not taken yet, oldest first (at most `maxQueuedCalls`). The thread takes them all at
    /// once and sends them; a call cancelled while here is withdrawn (its messages are never sent).
    var queue: [PublishRequest] = []
    /// The continuation of every call not answered yet, queued or taken by the thread. Whoever removes one from
    /// here resumes it, so each is resumed exactly once: the thread (an outcome, a loss, a failure to connect),
    /// `shutdown` before `start`, or the cancellation handler.
    var waiting: [Int: CheckedContinuation<Void, any Error>] = [:]
    var isConnected = false
    /// Set by `connection.blocked`, cleared by `connection.unblocked` and by a new connection.
    var blockedReason: String?
    /// See `PublisherStatus.awaitingConfirmSince`; written by the thread only.
    var awaitingConfirmSince: ContinuousClock.Instant?
    /// The open connection's socket, so that `shutdown()` can abort a stalled connection from another thread. The
    /// thread clears it (under the lock) before it destroys the connection, so the descriptor named here is
    /// never a closed one reused by someone else.
    var socket: Int32?

    /// Removes the continuations of the calls `ids` that still wait (a cancelled call's is already gone).
    mutating func answer(_ ids: some Sequence<Int>) -> [CheckedContinuation<Void, any Error>] {
        ids.compactMap { waiting.removeValue(forKey: $0) }
    }

    var status: PublisherStatus {
        PublisherStatus(
            isConnected: isConnected,
            blockedReason: blockedReason,
            awaitingConfirmSince: awaitingConfirmSince,
            queuedCalls: queue.count
        )
    }
}
