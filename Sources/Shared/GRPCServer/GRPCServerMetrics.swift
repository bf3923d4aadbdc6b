public import EventCore
import Synchronization

/// The server-side gRPC metrics under the names go-grpc-prometheus made common, so existing dashboards and alerts
/// work: `grpc_server_started_total`, `grpc_server_handled_total` (with `grpc_code`) and the
/// `grpc_server_handling_seconds` histogram, each labelled `grpc_type`, `grpc_service`, `grpc_method`.
///
/// Label values stay bounded: a path the router does not serve is counted as service and method `unknown`. Every
/// registered method (and `unknown`) is present from the start, at zero for every status code.
public final class GRPCServerMetrics: Sendable {
    /// The metrics of one method, looked up once per call.
    final class Method: Sendable {
        let started: Counter
        let handled: [Int: Counter]
        let handling: Histogram

        init(registry: MetricsRegistry, labels: [String: String]) {
            started = registry.counter(
                "grpc_server_started_total",
                help: "Total number of RPCs started on the server.",
                labels: labels
            )
            var handled: [Int: Counter] = [:]
            for (code, name) in GRPCServerMetrics.codeNames {
                handled[code] = registry.counter(
                    "grpc_server_handled_total",
                    help: "Total number of RPCs completed on the server, regardless of success or failure.",
                    labels: labels.merging(["grpc_code": name]) { $1 }
                )
            }
            self.handled = handled
            handling = registry.histogram(
                "grpc_server_handling_seconds",
                help: "Histogram of response latency (seconds) of gRPC that had been application-level handled "
                    + "by the server.",
                labels: labels,
                buckets: Histogram.latencyBuckets
            )
        }
    }

    /// A call being served: finished once with its status code.
    struct Call: Sendable {
        let method: Method
        let start: ContinuousClock.Instant

        func finish(_ code: GRPCStatus.Code) {
            (method.handled[code.rawValue] ?? method.handled[GRPCStatus.Code.unknown.rawValue])?.increment()
            method.handling.observe(start.duration(to: .now))
        }
    }

    /// The canonical codes (grpc/grpc `doc/statuscodes.md`) as go-grpc-prometheus writes them in `grpc_code`.
    static let codeNames: [Int: String] = [
        0: "OK", 1: "Canceled", 2: "Unknown", 3: "InvalidArgument", 4: "DeadlineExceeded", 5: "NotFound",
        6: "AlreadyExists", 7: "PermissionDenied", 8: "ResourceExhausted", 9: "FailedPrecondition", 10: "Aborted",
        11: "OutOfRange", 12: "Unimplemented", 13: "Internal", 14: "Unavailable", 15: "DataLoss",
        16: "Unauthenticated",
    ]

    /// Why the router refused a request before its handler ran (`eventgrpc_grpc_requests_refused_total`).
    enum Refusal: String, CaseIterable {
        /// No valid bearer token (refused on HEADERS, before the body was buffered).
        case unauthenticated
        /// The message passed `maxMessageBytes` (its body was dropped as it grew).
        case messageTooLarge = "message_too_large"
        /// All connections together held `MAX_BUFFERED_REQUEST_BYTES` already.
        case bufferBudget = "buffer_budget"
        /// The method's admission check refused the call on HEADERS (`GRPCAdmission`: the server is saturated).
        case overloaded
    }

    private let registry: MetricsRegistry
    private let methods = Mutex<[String: Method]>([:])
    private let unknown: Method
    private let refusals: [Refusal: Counter]

    public init(registry: MetricsRegistry) {
        self.registry = registry
        unknown = Method(
            registry: registry,
            labels: ["grpc_type": "unknown", "grpc_service": "unknown", "grpc_method": "unknown"]
        )
        var refusals: [Refusal: Counter] = [:]
        for refusal in Refusal.allCases {
            refusals[refusal] = registry.counter(
                "eventgrpc_grpc_requests_refused_total",
                help: "Requests the gRPC router refused before their handler ran, by reason.",
                labels: ["reason": refusal.rawValue]
            )
        }
        self.refusals = refusals
    }

    /// Counts a request refused before its handler ran.
    func refused(_ reason: Refusal) {
        refusals[reason]?.increment()
    }

    /// Registers `path` (`/package.Service/Method`) at zero; `type` is `unary` or `server_stream`.
    func prepare(path: String, type: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let service = parts.count == 2 ? String(parts[0]) : "unknown"
        let method = parts.count == 2 ? String(parts[1]) : path
        let metrics = Method(
            registry: registry,
            labels: ["grpc_type": type, "grpc_service": service, "grpc_method": method]
        )
        methods.withLock { $0[path] = metrics }
    }

    /// Counts a call to `path` as started; a path never prepared counts as `unknown`.
    func start(path: String) -> Call {
        let method = methods.withLock { $0[path] } ?? unknown
        method.started.increment()
        return Call(method: method, start: .now)
    }
}
