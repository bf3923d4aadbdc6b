public import EventCore

/// Publishes messages with publisher confirms over one connection owned by one dedicated thread.
///
/// Group commit: the thread takes every call waiting in its queue, publishes all their messages, then waits for
/// the broker's confirms (many messages per wait) and resumes each call when all its messages are confirmed,
/// or as soon as one of them is nacked or returned. On connection loss the calls in flight fail with
/// `connectionClosed`; the thread reconnects (re-applying `declarations`) after `reconnectDelay` and keeps serving.
///
/// Cancelling a task that awaits `publish` does not withdraw its messages: the call still waits for their
/// confirms (or the connection's loss), so the bookkeeping stays consistent.
public final class AMQPPublisher: Sendable {
    let configuration: AMQPConfiguration
    let declarations: [AMQPDeclaration]
    let logger: Logger
    let owner = ThreadOwner(PublisherShared())

    public init(configuration: AMQPConfiguration, declarations: [AMQPDeclaration], logger: Logger) {
        self.configuration = configuration
        self.declarations = declarations
        self.logger = logger.with(configuration.logMetadata)
    }

    /// True while the publisher holds an open connection with confirms enabled.
    public var isConnected: Bool {
        owner.withLock { $0.isConnected }
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
    /// or `shutdown` once `shutdown()` was called.
    public func publish(_ messages: [OutgoingMessage]) async throws {
        guard !messages.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = owner.update { state -> Bool in
                guard state.acceptsWork else { return false }
                state.queue.append(PublishRequest(messages: messages, continuation: continuation))
                return true
            }
            if !accepted {
                continuation.resume(throwing: AMQPError.publisherShutDown)
            }
        }
    }

    /// Stops accepting calls; the thread finishes the calls already accepted, closes the connection and exits.
    public func shutdown() {
        let neverStarted = owner.requestStop(ifNeverStarted: { state in
            defer { state.queue.removeAll() }
            return state.queue
        })
        for request in neverStarted ?? [] {
            request.continuation.resume(throwing: AMQPError.publisherShutDown)
        }
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
}
