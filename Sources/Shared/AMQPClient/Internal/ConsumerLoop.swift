import EventCore

/// The consumer thread's body: owns the connection and the processor; reconnects and resubscribes until asked to
/// stop. Created and used only on that thread.
final class ConsumerLoop {
    /// Longest wait for a delivery before checking for `stop()`, a pause, or a due batch.
    static let pollInterval: Duration = .milliseconds(200)

    let consumer: AMQPConsumer
    private var connection: AMQPConnection?
    /// False until the first subscription: a consumer paused from its start (its database not ready yet) says
    /// "subscribed", not "resumed", when it first takes messages.
    private var hasSubscribed = false
    /// Opened on the first `.republish`; separate from `connection` so confirms never interleave with deliveries.
    var publishChannel: ConfirmingPublishChannel?

    private let processor: any DeliveryProcessor

    init(consumer: AMQPConsumer, processor: any DeliveryProcessor) {
        self.consumer = consumer
        self.processor = processor
    }

    var logger: Logger { consumer.logger }
    var owner: ThreadOwner<ConsumerShared> { consumer.owner }

    func run() {
        owner.assertOnOwnerThread()
        logger.info("consumer started", ["amqp.prefetch": .integer(consumer.prefetch)])
        while !owner.withLock({ $0.isStopping }) {
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
        publishChannel?.close()
        publishChannel = nil
        owner.update { $0.isConnected = false }
        logger.info("consumer stopped")
    }

    private func step() throws(AMQPError) {
        owner.assertOnOwnerThread()
        guard let connection else {
            if processor.isPaused {
                holdOff()
                return
            }
            let opened = try AMQPConnection.open(consumer.configuration, declarations: consumer.declarations)
            try opened.startConsuming(queue: consumer.queue, prefetch: consumer.prefetch)
            self.connection = opened
            let wasPaused = owner.update { state in
                defer {
                    state.isConnected = true
                    state.isPaused = false
                }
                return state.isPaused
            }
            logger.info(wasPaused && hasSubscribed ? "consumer resumed" : "consumer subscribed")
            hasSubscribed = true
            return
        }
        if processor.isPaused {
            try pause(connection)
            return
        }
        if let delivery = try connection.nextDelivery(timeout: Self.pollInterval),
            let disposition = processor.process(delivery)
        {
            try apply(disposition, to: delivery.deliveryTag)
        }
        try settle(processor.poll())
    }

    /// Settles one delivery; a `.republish` publishes the copy with confirm first, then acks the original, or
    /// requeues it (and backs off) when the copy was not confirmed.
    private func apply(_ disposition: Disposition, to deliveryTag: UInt64) throws(AMQPError) {
        owner.assertOnOwnerThread()
        guard let connection else { return }
        guard case .republish(let message) = disposition else {
            try connection.settle(deliveryTag, disposition)
            return
        }
        let published = republish(message)
        try connection.settle(deliveryTag, published ? .ack : .requeue)
        if !published { backOff() }
    }

    /// Settles what the processor holds, then leaves the broker: unacknowledged deliveries go back to the queue.
    private func pause(_ connection: AMQPConnection) throws(AMQPError) {
        owner.assertOnOwnerThread()
        try settle(processor.drain())
        connection.close()
        self.connection = nil
        owner.update { state in
            state.isConnected = false
            state.isPaused = true
        }
        logger.notice("consumer paused; messages stay in the queue")
    }

    /// Waits one poll interval (cut short by `stop()`) while the processor is paused.
    private func holdOff() {
        owner.update { $0.isPaused = true }
        owner.wait(until: .now + Self.pollInterval, for: { $0.isStopping }, then: { _ in })
    }

    private func settle(_ settlements: [Settlement]) throws(AMQPError) {
        for settlement in settlements {
            try apply(settlement.disposition, to: settlement.deliveryTag)
        }
    }

    /// Drops the connection and sleeps `reconnectDelay` (cut short by `stop()`).
    private func lost(_ error: AMQPError) {
        owner.assertOnOwnerThread()
        let wasConnected = connection != nil
        connection = nil
        processor.channelLost()
        owner.update { $0.isConnected = false }
        logger.warning(
            wasConnected ? "consumer lost its connection; reconnecting" : "consumer cannot connect; retrying",
            Logger.Metadata.error(error)
        )
        backOff()
    }

    /// Sleeps `reconnectDelay`, cut short by `stop()`.
    func backOff() {
        owner.wait(
            until: .now + consumer.configuration.reconnectDelay,
            for: { $0.isStopping },
            then: { _ in }
        )
    }
}
