/// The consumer thread's body: owns the connection; reconnects and resubscribes until asked to stop.
/// Created and used only on that thread.
final class ConsumerLoop {
    /// Longest wait for a delivery before checking for `stop()`, a pause, or a due batch.
    static let pollInterval: Duration = .milliseconds(200)

    private let consumer: AMQPConsumer
    private var connection: AMQPConnection?

    init(consumer: AMQPConsumer) {
        self.consumer = consumer
    }

    private var logger: Logger { consumer.logger }
    private var processor: any DeliveryProcessor { consumer.processor }

    func run() {
        logger.info("consumer started", ["amqp.prefetch": "\(consumer.prefetch)"])
        while !consumer.shared.withLock({ $0.stopRequested }) {
            do {
                try step()
            } catch {
                lost(error)
            }
        }
        if connection != nil {
            do {
                try settle(processor.drain())
            } catch {
                logger.warning("could not settle held deliveries on stop; the broker redelivers them", .error(error))
                processor.channelLost()
            }
        }
        connection?.close()
        connection = nil
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
            if processor.isPaused {
                holdOff()
                return
            }
            let opened = try AMQPConnection.open(consumer.configuration, declarations: consumer.declarations)
            try opened.startConsuming(queue: consumer.queue, prefetch: consumer.prefetch)
            self.connection = opened
            let wasPaused = consumer.shared.update { state in
                defer { state.isConnected = true; state.isPaused = false }
                return state.isPaused
            }
            logger.info(wasPaused ? "consumer resumed" : "consumer subscribed")
            return
        }
        if processor.isPaused {
            try pause(connection)
            return
        }
        if let delivery = try connection.nextDelivery(timeout: Self.pollInterval),
            let disposition = processor.process(delivery)
        {
            try connection.settle(delivery.deliveryTag, disposition)
        }
        try settle(processor.poll())
    }

    /// Settles what the processor holds, then leaves the broker: unacknowledged deliveries go back to the queue.
    private func pause(_ connection: AMQPConnection) throws(AMQPError) {
        try settle(processor.drain())
        connection.close()
        self.connection = nil
        consumer.shared.update { state in
            state.isConnected = false
            state.isPaused = true
        }
        logger.notice("consumer paused; messages stay in the queue")
    }

    /// Waits one poll interval (cut short by `stop()`) while the processor is paused.
    private func holdOff() {
        consumer.shared.update { $0.isPaused = true }
        consumer.shared.wait(until: .now + Self.pollInterval, for: { $0.stopRequested }) { _ in }
    }

    private func settle(_ settlements: [Settlement]) throws(AMQPError) {
        guard let connection else { return }
        for settlement in settlements {
            try connection.settle(settlement.deliveryTag, settlement.disposition)
        }
    }

    /// Drops the connection and sleeps `reconnectDelay` (cut short by `stop()`).
    private func lost(_ error: AMQPError) {
        let wasConnected = connection != nil
        connection = nil
        processor.channelLost()
        consumer.shared.update { $0.isConnected = false }
        logger.warning(
            wasConnected ? "consumer lost its connection; reconnecting" : "consumer cannot connect; retrying",
            Logger.Metadata.error(error)
        )
        consumer.shared.wait(
            until: .now + consumer.configuration.reconnectDelay, for: { $0.stopRequested }
        ) { _ in }
    }
}
