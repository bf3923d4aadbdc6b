import Synchronization

/// Watches the share of clamped (future) timestamps per minute (seed scenario 8): when a closed one-minute window
/// had more than `threshold` of its events clamped, `record` returns a report once, for a warning log line.
public final class ClampMonitor: Sendable {
    /// A window whose clamp share passed the threshold.
    public struct Report: Sendable, Equatable {
        public var events: Int
        public var clamped: Int
        public var share: Double { events == 0 ? 0 : Double(clamped) / Double(events) }
    }

    private struct Window {
        var start: Int64
        var events = 0
        var clamped = 0
    }

    public let threshold: Double
    public let windowMilliseconds: Int64
    private let window = Mutex<Window?>(nil)

    public init(threshold: Double = 0.10, windowMilliseconds: Int64 = 60_000) {
        self.threshold = threshold
        self.windowMilliseconds = windowMilliseconds
    }

    /// Counts a batch at `now` (epoch ms); returns the previous window's report if it just closed above threshold.
    public func record(events: Int, clamped: Int, now: Int64) -> Report? {
        window.withLock { window in
            var report: Report?
            if let current = window, now - current.start >= windowMilliseconds {
                if current.events > 0 && Double(current.clamped) > threshold * Double(current.events) {
                    report = Report(events: current.events, clamped: current.clamped)
                }
                window = nil
            }
            var current = window ?? Window(start: now)
            current.events += events
            current.clamped += clamped
            window = current
            return report
        }
    }
}
