public import Foundation

extension Duration {
    /// This duration as a `timeval` (negative durations become zero).
    public var timeval: timeval {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 || seconds > 0 else { return Foundation.timeval(tv_sec: 0, tv_usec: 0) }
        let micros = Int64(attoseconds / 1_000_000_000_000)
        return Foundation.timeval(tv_sec: Int(seconds), tv_usec: Int(micros))
    }

    /// Whole seconds, rounded up (heartbeats are negotiated in seconds).
    public var roundedUpSeconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }
}

extension Duration {
    /// Seconds as a `Double`, as `Thread.sleep` and Prometheus histograms take them.
    public var secondsDouble: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// Whole milliseconds, never negative (an AMQP `expiration` is a non-negative decimal string).
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
