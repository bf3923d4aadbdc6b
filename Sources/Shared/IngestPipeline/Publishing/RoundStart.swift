/// How a publish round started (the `start` label of `eventgrpc_gateway_rounds_total`).
enum RoundStart: String, Sendable, CaseIterable {
    /// The publisher was idle, or the previous round started longer than the interval ago: no wait.
    case atOnce = "at_once"
    /// Held under load until `PUBLISH_ROUND_INTERVAL` after the previous round's start.
    case afterInterval = "after_interval"
    /// Held under load, and full (event, byte or call bound; full queue; shutdown) before the interval ended.
    case filled
    /// Held, and the worker's task was cancelled: the round went at once.
    case cancelled
}
