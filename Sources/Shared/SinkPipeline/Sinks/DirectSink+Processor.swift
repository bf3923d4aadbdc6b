public import AMQPClient

/// A direct sink settles each delivery at once, and pauses its consumer while the queue's breaker is open.
extension DirectSink: DeliveryProcessor {
    public func process(_ delivery: Delivery) -> Disposition? {
        handle(delivery)
    }

    public var isPaused: Bool { breaker.isOpen }

    /// Nothing is held; the idle ClickHouse connection is dropped while the consumer pauses or stops.
    public func drain() -> [Settlement] {
        writer.disconnect()
        return []
    }
}
