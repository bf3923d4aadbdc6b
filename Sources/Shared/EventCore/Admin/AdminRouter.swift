/// The admin plane's endpoints, independent of sockets:
/// `GET /heartbeat/` (200 while ready, 410 once drained or while a readiness condition fails, naming it),
/// `GET /readyz` (the same verdict with 503 for a probe: ready to take work), `GET /livez` (200 while the process
/// answers at all: restart it only when this fails), `PUT /heartbeat/?beat=true|false` (needs
/// `Authorization: Bearer ADMIN_TOKEN` when a token is configured), `GET /metrics` (Prometheus text).
public struct AdminRouter: Sendable {
    public struct Response: Sendable, Equatable {
        public var status: Int
        public var contentType = "text/plain; charset=utf-8"
        public var body: String
    }

    let readiness: Readiness
    let metrics: MetricsRegistry
    let token: String?
    let logger: Logger

    public init(readiness: Readiness, metrics: MetricsRegistry, token: String?, logger: Logger) {
        self.readiness = readiness
        self.metrics = metrics
        self.token = token
        self.logger = logger
    }

    public func respond(method: String, target: String, authorization: String?) -> Response {
        let (path, query) = Self.split(target)
        switch (method, path) {
        case ("GET", "/heartbeat/"), ("GET", "/heartbeat"):
            return readinessVerdict(notReadyStatus: 410)
        case ("GET", "/readyz"):
            return readinessVerdict(notReadyStatus: 503)
        case ("GET", "/livez"):
            return Response(status: 200, body: "OK\n")
        case ("PUT", "/heartbeat/"), ("PUT", "/heartbeat"):
            if let token, !Self.constantTimeEquals(authorization ?? "", "Bearer " + token) {
                return Response(status: 401, body: "send Authorization: Bearer <ADMIN_TOKEN>\n")
            }
            switch query["beat"] {
            case "true":
                readiness.set(true)
                logger.notice("heartbeat turned on by an operator")
                return Response(status: 200, body: "OK\n")
            case "false":
                readiness.set(false)
                logger.notice("heartbeat turned off by an operator: instance is draining")
                return Response(status: 200, body: "NOT_SERVING\n")
            default:
                return Response(status: 400, body: "use ?beat=true or ?beat=false\n")
            }
        case ("GET", "/metrics"):
            return Response(status: 200, contentType: "text/plain; version=0.0.4", body: metrics.render())
        case (_, "/heartbeat/"), (_, "/heartbeat"), (_, "/metrics"), (_, "/readyz"), (_, "/livez"):
            return Response(status: 405, body: "method \(method.prefix(16)) is not allowed here\n")
        default:
            return Response(
                status: 404,
                body: "endpoints: GET /heartbeat/, PUT /heartbeat/?beat=, GET /readyz, GET /livez, GET /metrics\n"
            )
        }
    }

    /// 200 while switched on and every readiness condition holds; otherwise `notReadyStatus` naming what fails.
    private func readinessVerdict(notReadyStatus: Int) -> Response {
        let unmet = readiness.unmetConditions
        guard readiness.isSwitchedOn, unmet.isEmpty else {
            let reasons = unmet.isEmpty ? "" : ": " + unmet.joined(separator: ", ")
            return Response(status: notReadyStatus, body: "NOT_SERVING\(reasons)\n")
        }
        return Response(status: 200, body: "OK\n")
    }

    static func split(_ target: String) -> (path: String, query: [String: String]) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                query[String(keyValue[0])] = keyValue.count == 2 ? String(keyValue[1]) : ""
            }
        }
        return (String(parts.first ?? ""), query)
    }

    static func constantTimeEquals(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8)
        let b = Array(right.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<min(a.count, b.count) { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
