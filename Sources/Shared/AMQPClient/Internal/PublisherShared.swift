/// One `publish` call waiting for the publishing thread.
struct PublishRequest: Sendable {
    let messages: [OutgoingMessage]
    let continuation: CheckedContinuation<Void, any Error>
}

/// What callers and the publishing thread share, under the publisher's `ThreadOwner` (whose phase says whether
/// calls are taken: queued before `start`, served while running, drained while stopping; the queue is empty once
/// stopped).
struct PublisherShared: Sendable {
    var queue: [PublishRequest] = []
    var isConnected = false
}
