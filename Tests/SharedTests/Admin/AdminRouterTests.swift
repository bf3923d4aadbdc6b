import Testing

@testable import Shared

@Suite struct AdminRouterTests {
    func router(token: String? = nil) -> (AdminRouter, Readiness) {
        let readiness = Readiness()
        let router = AdminRouter(
            readiness: readiness, metrics: MetricsRegistry(), token: token,
            logger: Logger(label: "test", minimumLevel: .critical))
        return (router, readiness)
    }

    @Test func heartbeatFollowsTheToggle() {
        let (router, readiness) = router()
        #expect(router.respond(method: "GET", target: "/heartbeat/", authorization: nil).status == 200)
        #expect(router.respond(method: "PUT", target: "/heartbeat/?beat=false", authorization: nil).status == 200)
        #expect(!readiness.isReady)
        #expect(router.respond(method: "GET", target: "/heartbeat/", authorization: nil).status == 410)
        #expect(router.respond(method: "PUT", target: "/heartbeat/?beat=true", authorization: nil).status == 200)
        #expect(router.respond(method: "GET", target: "/heartbeat/", authorization: nil).status == 200)
    }

    @Test(arguments: [(nil, 401), ("Bearer wrong", 401), ("Bearer s3cret-but-longer", 401), ("Bearer s3cret", 200)])
    func toggleNeedsTheTokenWhenOneIsSet(authorization: String?, status: Int) {
        let (router, readiness) = router(token: "s3cret")
        #expect(router.respond(method: "PUT", target: "/heartbeat/?beat=false", authorization: authorization).status == status)
        #expect(readiness.isReady == (status != 200))
    }

    @Test(arguments: [
        ("PUT", "/heartbeat/?beat=maybe", 400), ("DELETE", "/heartbeat/", 405), ("GET", "/nothing", 404),
        ("POST", "/metrics", 405),
    ])
    func refusesWhatItDoesNotServe(method: String, target: String, status: Int) {
        #expect(router().0.respond(method: method, target: target, authorization: nil).status == status)
    }

    @Test func parsesRequestHeads() throws {
        let head = try #require(HTTPRequestHead(parsing: Array("PUT /heartbeat/?beat=false HTTP/1.1\r\nAuthorization: Bearer x\r\n\r\n".utf8)))
        #expect(head.method == "PUT" && head.target == "/heartbeat/?beat=false")
        #expect(head.header("authorization") == "Bearer x")
        #expect(HTTPRequestHead(parsing: Array("garbage\r\n\r\n".utf8)) == nil)
    }
}

@Suite struct MetricsRegistryTests {
    @Test func rendersPrometheusTextWithOneHeaderPerFamily() {
        let registry = MetricsRegistry()
        registry.counter("eventgrpc_test_events_total", help: "Events.").increment(by: 3)
        registry.counter("eventgrpc_test_rejected_total", help: "Rejected.", labels: ["code": "INVALID_ARGUMENT"]).increment()
        registry.counter("eventgrpc_test_rejected_total", help: "Rejected.", labels: ["code": "INVALID_ARGUMENT"]).increment()
        registry.counter("eventgrpc_test_rejected_total", help: "Rejected.", labels: ["code": "a\"b\\c\nd"]).increment()
        registry.gauge("eventgrpc_test_up", help: "Up.").set(1)
        #expect(
            registry.render() == """
                # HELP eventgrpc_test_events_total Events.
                # TYPE eventgrpc_test_events_total counter
                eventgrpc_test_events_total 3
                # HELP eventgrpc_test_rejected_total Rejected.
                # TYPE eventgrpc_test_rejected_total counter
                eventgrpc_test_rejected_total{code="INVALID_ARGUMENT"} 2
                eventgrpc_test_rejected_total{code="a\\"b\\\\c\\nd"} 1
                # HELP eventgrpc_test_up Up.
                # TYPE eventgrpc_test_up gauge
                eventgrpc_test_up 1

                """)
    }
}
