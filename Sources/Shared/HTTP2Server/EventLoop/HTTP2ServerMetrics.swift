public import EventCore
import Foundation
import Synchronization

/// The transport's metrics: open connections and streams, refusals at accept, accept errors by errno, and
/// connections cut by the limit that cut them (all labels bounded).
public final class HTTP2ServerMetrics: Sendable {
    /// Why a connection was cut by a limit (the `reason` label).
    enum CutReason: String, CaseIterable {
        /// No client preface (magic and SETTINGS) within `PREFACE_TIMEOUT`.
        case preface
        /// The TLS handshake did not finish within `TLS_HANDSHAKE_TIMEOUT`.
        case handshake
        /// Bytes arrived but no frame completed within `FRAME_TIMEOUT`.
        case trickle
        /// A response waited on a zero flow-control window for `SEND_TIMEOUT`.
        case zeroWindow = "zero_window"
        /// The client read nothing from the socket for `SEND_TIMEOUT`.
        case writeStall = "write_stall"
        /// No stream for `IDLE_TIMEOUT` (GOAWAY, then closed).
        case idle
        /// `MAX_CONNECTION_AGE` reached (GOAWAY, then closed once its streams end or after the grace).
        case maxAge = "max_age"
    }

    /// Accept errors by errno name; anything else is `other`.
    static let acceptErrnos: [Int32: String] = [
        EMFILE: "emfile", ENFILE: "enfile", ENOMEM: "enomem", ENOBUFS: "enobufs",
    ]

    let openConnections = Atomic<Int>(0)
    let openStreams = Atomic<Int>(0)
    let refusedAtLimit: Counter
    let refusedDraining: Counter
    let acceptErrors: [String: Counter]
    let cut: [CutReason: Counter]

    public init(registry: MetricsRegistry) {
        let refused = "eventgrpc_grpc_connections_refused_total"
        let refusedHelp = "Connections closed at accept, by reason (max_connections: MAX_CONNECTIONS open already)."
        refusedAtLimit = registry.counter(refused, help: refusedHelp, labels: ["reason": "max_connections"])
        refusedDraining = registry.counter(refused, help: refusedHelp, labels: ["reason": "draining"])
        var errors: [String: Counter] = [:]
        for name in Array(Self.acceptErrnos.values) + ["other"] {
            errors[name] = registry.counter(
                "eventgrpc_grpc_accept_errors_total",
                help: "accept() failures by errno (the listener backs off 100 ms; open connections are served).",
                labels: ["errno": name]
            )
        }
        acceptErrors = errors
        var cuts: [CutReason: Counter] = [:]
        for reason in CutReason.allCases {
            cuts[reason] = registry.counter(
                "eventgrpc_grpc_connections_cut_total",
                help: "Connections the server ended because a client broke a time limit, by reason.",
                labels: ["reason": reason.rawValue]
            )
        }
        cut = cuts
        registry.gauge("eventgrpc_grpc_connections_open", help: "Open gRPC (HTTP/2) connections.") { [weak self] in
            self?.openConnections.load(ordering: .relaxed) ?? 0
        }
        registry.gauge("eventgrpc_grpc_streams_open", help: "Open HTTP/2 streams on the gRPC port.") { [weak self] in
            self?.openStreams.load(ordering: .relaxed) ?? 0
        }
    }

    func acceptError(_ code: Int32) {
        acceptErrors[Self.acceptErrnos[code] ?? "other"]?.increment()
    }
}
