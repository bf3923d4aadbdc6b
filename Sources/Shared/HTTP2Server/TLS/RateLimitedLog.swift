/// At most one log line per `interval` for a noisy event (failed handshakes: a port scanner or a misconfigured
/// client can cause thousands a second); the line that goes out says how many were left out before it.
struct RateLimitedLog {
    let interval: Duration
    private var lastLogged: ContinuousClock.Instant?
    private var suppressed = 0

    init(interval: Duration = .seconds(10)) {
        self.interval = interval
    }

    /// The number of events left out since the last line when this one may be logged, nil when it may not.
    mutating func admit(now: ContinuousClock.Instant) -> Int? {
        if let lastLogged, now - lastLogged < interval {
            if suppressed < Int.max { suppressed += 1 }
            return nil
        }
        defer { suppressed = 0 }
        lastLogged = now
        return suppressed
    }
}
