/// One `publish` call waiting for the publishing thread.
struct PublishRequest: Sendable {
    let messages: [OutgoingMessage]
    let continuation: CheckedContinuation<Void, any Error>
}

/// What callers and the publishing thread share (guarded by the publisher's `ConditionBox`).
struct PublisherShared: Sendable {
    enum Phase: Sendable {
        /// `start` not called yet: calls queue up.
        case created
        /// The thread serves the queue.
        case running
        /// `shutdown` called: no new calls; the thread drains the queue, then exits.
        case stopping
        /// The thread has exited (or never started); the queue is empty.
        case stopped
    }

    var phase = Phase.created
    var queue: [PublishRequest] = []
    var isConnected = false
    var stopWaiters: [CheckedContinuation<Void, Never>] = []
}
