public import AMQPClient
import EventCore

/// Counts what a processor consumes and how it settles it, without changing what it does.
public struct MeteredProcessor: DeliveryProcessor {
    let inner: any DeliveryProcessor
    let metrics: QueueMetrics

    public init(_ inner: any DeliveryProcessor, metrics: QueueMetrics) {
        self.inner = inner
        self.metrics = metrics
    }

    public func process(_ delivery: Delivery) -> Disposition? {
        metrics.consumed.increment()
        let disposition = inner.process(delivery)
        if let disposition { metrics.count(disposition) }
        return disposition
    }

    public func poll() -> [Settlement] {
        counted(inner.poll())
    }

    public var isPaused: Bool { inner.isPaused }

    public func drain() -> [Settlement] {
        counted(inner.drain())
    }

    public func channelLost() {
        inner.channelLost()
    }

    private func counted(_ settlements: [Settlement]) -> [Settlement] {
        for settlement in settlements { metrics.count(settlement.disposition) }
        return settlements
    }
}
