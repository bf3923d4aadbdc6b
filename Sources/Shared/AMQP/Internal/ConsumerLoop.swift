/// The consumer thread's body: owns the connection; reconnects and resubscribes until asked to stop.
/// Created and used only on that thread.
final class ConsumerLoop {
    /// Longest wait for a delivery before checking for `stop()`.
    static let pollInterval: Duration = .milliseconds(200)

    let consumer: AMQPConsumer
    private var connection: AMQPConnection?
    /// Opened on the first `.republish`; separate from `connection` so confirms never interleave with deliveries.
    var publishChannel: ConfirmingPublishChannel?

    init(consumer: AMQPConsumer) {
        self.consumer = consumer
    }

    var logger: Logger { consumer.logger }

    func run() {
        logger.info("consumer started", ["amqp.prefetch": "\(consumer.prefetch)"])
        while !consumer.shared.withLock({ $0.stopRequested }) {
            do {
                try step()
            } catch {
                lost(error)
            }
        }
        connection?.close()
        connection = nil
        publishChannel?.close()
        publishChannel = nil
        let runner = consumer.shared.update { state in
            state.isConnected = false
            defer { state.runner = nil }
            return state.runner
        }
        logger.info("consumer stopped")
        runner?.resume()
    }

    private func step() throws(AMQPError) {
        guard let connection else {
            let opened = try AMQPConnection.open(consumer.configuration, declarations: consumer.declarations)
            try opened.startConsuming(queue: consumer.queue, prefetch: consumer.prefetch)
            connection = opened
            consumer.shared.update { $0.isConnected = true }
            logger.info("consumer subscribed")
            return
        }
        guard let delivery = try connection.nextDelivery(timeout: Self.pollInterval) else { return }
        let disposition = consumer.handler(delivery)
        guard case .republish(let message) = disposition else {
            try connection.settle(delivery.deliveryTag, disposition)
            return
        }
        let published = republish(message)
        try connection.settle(delivery.deliveryTag, published ? .ack : .requeue)
        if !published { pause() }
    }

    /// Drops the connection and sleeps `reconnectDelay` (cut short by `stop()`).
    private func lost(_ error: AMQPError) {
        let wasConnected = connection != nil
        connection = nil
        consumer.shared.update { $0.isConnected = false }
        logger.warning(
            wasConnected ? "consumer lost its connection; reconnecting" : "consumer cannot connect; retrying",
            Logger.Metadata.error(error)
        )
        pause()
    }

    /// Sleeps `reconnectDelay`, cut short by `stop()`.
    func pause() {
        consumer.shared.wait(
            until: .now + consumer.configuration.reconnectDelay, for: { $0.stopRequested }
        ) { _ in }
    }
}
