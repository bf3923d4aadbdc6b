import AMQPClient
import EventCore

extension AMQPConsumer {
    /// A consumer whose every delivery is settled at once by `handler` (what most tests need).
    convenience init(
        configuration: AMQPConfiguration,
        queue: String,
        prefetch: UInt16,
        declarations: [AMQPDeclaration],
        logger: Logger,
        handler: @escaping @Sendable (Delivery) -> Disposition
    ) {
        self.init(
            configuration: configuration,
            queue: queue,
            prefetch: prefetch,
            declarations: declarations,
            logger: logger,
            makeProcessor: { ClosureProcessor(handler: handler) }
        )
    }
}

/// A synchronous handler as a processor that settles every delivery at once.
private struct ClosureProcessor: DeliveryProcessor {
    let handler: @Sendable (Delivery) -> Disposition

    func process(_ delivery: Delivery) -> Disposition? {
        handler(delivery)
    }
}
