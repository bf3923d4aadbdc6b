public import AMQPClient

/// Publishes messages and returns once the broker confirmed every one of them: the durable publisher's way to the
/// broker (`AMQPPublisher`, or a fake that plays the broker's answers in tests).
///
/// `publish` throws `AMQPError` with `publishNacked` or `publishReturned` when the broker refuses a message, and
/// any other error when the outcome is unknown (connection lost, publisher shut down).
public protocol ConfirmingPublisher: Sendable {
    /// True while a connection is open: batches go to the broker; false sends them straight to the spool.
    var isConnected: Bool { get }
    func publish(_ messages: [OutgoingMessage]) async throws
}

extension AMQPPublisher: ConfirmingPublisher {}
