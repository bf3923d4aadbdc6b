import Synchronization

/// At most `linesPerSecond` log lines per key (a rejection reason, say) in each one-second window, so that a flood
/// of bad calls cannot fill the disk with log lines. Lines over the limit are not written but counted, and the
/// next line written for that key reports how many were left out (`log.suppressed`).
public final class LogRateLimiter: Sendable {
    private struct Window {
        var start: ContinuousClock.Instant
        var written = 0
        var suppressed = 0
    }

    public let linesPerSecond: Int
    private let windows = Mutex<[String: Window]>([:])

    public init(linesPerSecond: Int) {
        precondition(linesPerSecond > 0, "a limiter that lets nothing through hides every line")
        self.linesPerSecond = linesPerSecond
    }

    /// Whether a line for `key` may be written now: nil when it is over the limit (it is counted instead), else
    /// the number of lines for `key` left out since the last one written.
    public func admit(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        windows.withLock { windows in
            var window = windows[key] ?? Window(start: now)
            if now - window.start >= .seconds(1) {
                window.start = now
                window.written = 0
            }
            guard window.written < linesPerSecond else {
                window.suppressed += 1
                windows[key] = window
                return nil
            }
            let suppressed = window.suppressed
            window.written += 1
            window.suppressed = 0
            windows[key] = window
            return suppressed
        }
    }
}

extension Logger {
    /// Logs through `limiter` under `key`: dropped when over the limit, else with `log.suppressed` (the lines left
    /// out since the last one for `key`) when some were.
    public func log(
        _ level: Level,
        limitedBy limiter: LogRateLimiter,
        key: String,
        _ message: @autoclosure () -> String,
        _ extra: @autoclosure () -> Metadata = [:]
    ) {
        guard level >= minimumLevel, let suppressed = limiter.admit(key) else { return }
        var fields = extra()
        if suppressed > 0 { fields["log.suppressed"] = .int(suppressed) }
        log(level, message(), fields)
    }
}
