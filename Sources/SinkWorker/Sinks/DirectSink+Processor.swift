import Shared

/// A direct sink settles each delivery at once, and pauses its consumer while the queue's breaker is open.
extension DirectSink: DeliveryProcessor {
    func process(_ delivery: Delivery) -> Disposition? {
        handle(delivery)
    }

    var isPaused: Bool { writer.breaker.isOpen }

    /// Nothing is held; the idle ClickHouse connection is dropped while the consumer pauses or stops.
    func drain() -> [Settlement] {
        writer.disconnect()
        return []
    }
}
