/// What an `AMQPConsumer` calls, always on its own thread, to process deliveries.
///
/// Not `Sendable`: the consumer builds its processor on its thread (`makeProcessor`) and uses it only there, so a
/// processor may own what must stay on one thread (a ClickHouse connection) without locks.
///
/// A processor may settle a delivery at once (`process` returns a `Disposition`) or hold it unsettled (`nil`)
/// and settle it later through `poll()` or `drain()`: the consumer applies those settlements on the thread and
/// channel that received the deliveries, as AMQP requires. The broker sends at most `prefetch` deliveries that
/// are not settled yet, so whatever a processor holds is bounded by the prefetch.
public protocol DeliveryProcessor {
    /// Handles one delivery; `nil` holds it unsettled for a later `poll()` or `drain()`.
    func process(_ delivery: Delivery) -> Disposition?

    /// Called after each delivery and at least every `ConsumerLoop.pollInterval` while subscribed: returns held
    /// deliveries that are now to be settled (for example a batch that was just written).
    func poll() -> [Settlement]

    /// True while the consumer must not take messages (a circuit breaker is open). The consumer then settles
    /// what `drain()` returns, closes its connection (the broker requeues anything still unacknowledged) and
    /// subscribes again only once this turns false.
    var isPaused: Bool { get }

    /// Called before the consumer pauses or stops: settle every held delivery (write what can be written and
    /// ack it, requeue the rest). Deliveries not returned stay unacknowledged and the broker redelivers them.
    func drain() -> [Settlement]

    /// The channel is gone: every held delivery will be redelivered by the broker, so forget them all.
    func channelLost()
}

extension DeliveryProcessor {
    public func poll() -> [Settlement] { [] }
    public var isPaused: Bool { false }
    public func drain() -> [Settlement] { [] }
    public func channelLost() {}
}

/// A decision about a delivery that was held.
public struct Settlement: Sendable, Equatable {
    public var deliveryTag: UInt64
    public var disposition: Disposition

    public init(deliveryTag: UInt64, disposition: Disposition) {
        self.deliveryTag = deliveryTag
        self.disposition = disposition
    }
}
