public import AMQPClient

/// Publishes messages and returns once the broker confirmed every one of them: the durable publisher's way to the
/// broker (`AMQPPublisher`, or a fake that plays the broker's answers in tests).
///
/// `publish` throws `AMQPError` with `publishNacked` or `publishReturned` when the broker refuses a message, and
/// any other error when the outcome is unknown (connection lost, publisher shut down, its queue full). A
/// cancelled `publish` returns at once; messages it had already sent may still reach the broker.
public protocol ConfirmingPublisher: Sendable {
    /// Connection, block and confirm state: `StallDetector` decides from it whether to wait for the broker.
    var status: PublisherStatus { get }
    func publish(_ messages: [OutgoingMessage]) async throws
}

extension AMQPPublisher: ConfirmingPublisher {}
