import EventCore

/// The TLS port's metrics: handshakes by result (bounded labels), reloads, and the serving certificate's expiry.
struct TLSMetrics: Sendable {
    let handshakesOK: Counter
    let handshakeFailures: [TLSHandshakeFailure.Kind: Counter]
    let reloadsOK: Counter
    let reloadsFailed: Counter
    let notAfter: Gauge

    init(registry: MetricsRegistry) {
        let name = "eventgrpc_grpc_tls_handshakes_total"
        let help = "TLS handshakes on the gRPC port by result (ok, or why it failed)."
        handshakesOK = registry.counter(name, help: help, labels: ["result": "ok"])
        var failures: [TLSHandshakeFailure.Kind: Counter] = [:]
        for kind in TLSHandshakeFailure.Kind.allCases {
            failures[kind] = registry.counter(name, help: help, labels: ["result": kind.rawValue])
        }
        handshakeFailures = failures
        let reloads = "eventgrpc_grpc_tls_certificate_reloads_total"
        let reloadsHelp = "Certificate reloads (SIGHUP or a changed file) by result; a failed one keeps the old."
        reloadsOK = registry.counter(reloads, help: reloadsHelp, labels: ["result": "ok"])
        reloadsFailed = registry.counter(reloads, help: reloadsHelp, labels: ["result": "failed"])
        notAfter = registry.gauge(
            "eventgrpc_grpc_tls_certificate_expiry_timestamp_seconds",
            help: "When the certificate new handshakes get expires (notAfter, Unix time)."
        )
    }
}
