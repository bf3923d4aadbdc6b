/// Synchronous broker access for command-line tools (`SinkWorker dlq ...`): queue depths, basic.get, ack or
/// requeue, and publishing with confirms (awaited per message, or once per window of messages). Not thread-safe:
/// the creating thread owns it.
///
/// It uses two connections, one to read queues and one in confirm mode to publish, so that a copy can be
/// confirmed before its original is acknowledged. Nothing is declared unless `declare` is called.
public final class AMQPBlockingClient {
    private let configuration: AMQPConfiguration
    private var reader: AMQPConnection?
    private var publisher: ConfirmingPublishChannel?

    public init(configuration: AMQPConfiguration) {
        self.configuration = configuration
    }

    deinit {
        close()
    }

    /// Applies `declarations` (idempotent; a mismatch with what exists throws `declarationFailed`).
    public func declare(_ declarations: [AMQPDeclaration]) throws(AMQPError) {
        try readerConnection().declare(declarations)
    }

    /// Ready messages in `queue`, or nil when the broker has no such queue.
    public func readyMessageCount(queue: String) throws(AMQPError) -> Int? {
        let connection = try readerConnection()
        let count = try connection.readyMessageCount(queue: queue)
        if !connection.isUsable { reader = nil }
        return count
    }

    /// The next ready message of `queue` (left unacknowledged until `ack`, `requeueAll` or `close`), or nil.
    public func get(queue: String) throws(AMQPError) -> Delivery? {
        try readerConnection().get(queue: queue)
    }

    /// Acknowledges a message returned by `get`: the broker deletes it.
    public func ack(_ delivery: Delivery) throws(AMQPError) {
        try readerConnection().settle(delivery.deliveryTag, .ack)
    }

    /// Returns every unacknowledged message up to and including `delivery` to its queue, unchanged.
    public func requeueAll(upTo delivery: Delivery) throws(AMQPError) {
        try readerConnection().requeueAll(upTo: delivery.deliveryTag)
    }

    /// Returns one message returned by `get` to its queue, unchanged.
    public func requeue(_ delivery: Delivery) throws(AMQPError) {
        try readerConnection().settle(delivery.deliveryTag, .requeue)
    }

    /// Publishes `message` and returns once the broker confirmed it (`connectTimeout` bounds the wait).
    public func publishConfirmed(_ message: OutgoingMessage) throws(AMQPError) {
        let channel = try publishChannel()
        do throws(AMQPError) {
            try channel.publish(message, timeout: configuration.connectTimeout)
        } catch {
            if !channel.isUsable { publisher = nil }
            throw error
        }
    }

    /// Publishes every message of `window` with all of them in flight, waits once for their confirms, and returns
    /// per message whether the broker confirmed storing it (false: nacked or unroutable). `connectTimeout` plus
    /// a millisecond per message bounds the wait; past it, or when the connection fails, it throws and none of
    /// the window counts as stored.
    public func publishConfirmed(window: [OutgoingMessage]) throws(AMQPError) -> [Bool] {
        let channel = try publishChannel()
        do throws(AMQPError) {
            return try channel.publishWindow(
                window,
                timeout: configuration.connectTimeout + .milliseconds(window.count)
            )
        } catch {
            if !channel.isUsable { publisher = nil }
            throw error
        }
    }

    private func publishChannel() throws(AMQPError) -> ConfirmingPublishChannel {
        if let publisher, publisher.isUsable { return publisher }
        let channel = try ConfirmingPublishChannel(configuration: configuration)
        publisher = channel
        return channel
    }

    /// Closes both connections; unacknowledged messages return to their queues.
    public func close() {
        reader?.close()
        reader = nil
        publisher?.close()
        publisher = nil
    }

    private func readerConnection() throws(AMQPError) -> AMQPConnection {
        if let reader, reader.isUsable { return reader }
        let opened = try AMQPConnection.open(configuration, declarations: [])
        reader = opened
        return opened
    }
}
