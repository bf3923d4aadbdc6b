/// What the admin endpoint reports about its own connections: how many are open, how many it cut (at the request
/// deadline, or to make room for a new one) and how many accepts failed.
final class AdminServerMetrics: Sendable {
    let open: Gauge
    let cutAtDeadline: Counter
    let cutCrowded: Counter
    let acceptErrors: Counter

    init(registry: MetricsRegistry) {
        open = registry.gauge("eventgrpc_admin_connections_open", help: "Admin HTTP connections open now.")
        let cutHelp = "Admin HTTP connections closed before their answer was written, by reason."
        cutAtDeadline = registry.counter(
            "eventgrpc_admin_connections_cut_total",
            help: cutHelp,
            labels: ["reason": "deadline"]
        )
        cutCrowded = registry.counter(
            "eventgrpc_admin_connections_cut_total",
            help: cutHelp,
            labels: ["reason": "crowded"]
        )
        acceptErrors = registry.counter(
            "eventgrpc_admin_accept_errors_total",
            help: "Failed accepts on the admin port (EMFILE and friends); the server backs off and keeps serving."
        )
    }
}
