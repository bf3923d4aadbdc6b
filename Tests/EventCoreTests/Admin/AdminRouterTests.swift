import Synchronization
import Testing

@testable import EventCore

@Suite struct AdminRouterTests {
    func router(token: String? = nil) -> (AdminRouter, Readiness) {
        let readiness = Readiness()
        let router = AdminRouter(
            readiness: readiness,
            metrics: MetricsRegistry(),
            token: token,
            logger: Logger(label: "test", minimumLevel: .critical)
        )
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

    @Test func readyzFollowsReadinessAndLivezStaysUpWhileDraining() {
        let (router, readiness) = router()
        #expect(router.respond(method: "GET", target: "/readyz", authorization: nil).status == 200)
        readiness.set(false)
        #expect(router.respond(method: "GET", target: "/readyz", authorization: nil).status == 503)
        #expect(router.respond(method: "GET", target: "/livez", authorization: nil).status == 200)
        #expect(router.respond(method: "POST", target: "/livez", authorization: nil).status == 405)
    }

    @Test func heartbeatNamesTheConditionsThatFail() {
        let (router, readiness) = router()
        let brokerUp = Atomic(true)
        let databaseUp = Atomic(false)
        readiness.require("broker disconnected") { brokerUp.load(ordering: .relaxed) }
        readiness.require("database logs unhealthy") { databaseUp.load(ordering: .relaxed) }
        #expect(
            router.respond(method: "GET", target: "/heartbeat/", authorization: nil)
                == .init(status: 410, body: "NOT_SERVING: database logs unhealthy\n")
        )
        brokerUp.store(false, ordering: .relaxed)
        #expect(
            router.respond(method: "GET", target: "/heartbeat/", authorization: nil).body
                == "NOT_SERVING: broker disconnected, database logs unhealthy\n"
        )
        brokerUp.store(true, ordering: .relaxed)
        databaseUp.store(true, ordering: .relaxed)
        #expect(router.respond(method: "GET", target: "/heartbeat/", authorization: nil).status == 200)
        readiness.set(false)
        #expect(
            router.respond(method: "GET", target: "/heartbeat/", authorization: nil)
                == .init(status: 410, body: "NOT_SERVING\n")
        )
    }

    @Test(arguments: [(nil, 401), ("Bearer wrong", 401), ("Bearer s3cret-but-longer", 401), ("Bearer s3cret", 200)])
    func toggleNeedsTheTokenWhenOneIsSet(authorization: String?, status: Int) {
        let (router, readiness) = router(token: "s3cret")
        #expect(
            router.respond(method: "PUT", target: "/heartbeat/?beat=false", authorization: authorization).status
                == status
        )
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
        let head = try #require(
            HTTPRequestHead(
                parsing: Array("PUT /heartbeat/?beat=false HTTP/1.1\r\nAuthorization: Bearer x\r\n\r\n".utf8)
            )
        )
        #expect(head.method == "PUT" && head.target == "/heartbeat/?beat=false")
        #expect(head.header("authorization") == "Bearer x")
        #expect(HTTPRequestHead(parsing: Array("garbage\r\n\r\n".utf8)) == nil)
    }
}

@Suite struct MetricsRegistryTests {
    @Test func rendersPrometheusTextWithOneHeaderPerFamily() {
        let registry = MetricsRegistry()
        registry.counter("eventgrpc_test_events_total", help: "Events.").increment(by: 3)
        registry.counter("eventgrpc_test_rejected_total", help: "Rejected.", labels: ["code": "INVALID_ARGUMENT"])
            .increment()
        registry.counter("eventgrpc_test_rejected_total", help: "Rejected.", labels: ["code": "INVALID_ARGUMENT"])
            .increment()
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

                """
        )
    }
}

@Suite struct HistogramTests {
    @Test func rendersCumulativeBucketsThenSumAndCount() {
        let registry = MetricsRegistry()
        let histogram = registry.histogram(
            "eventgrpc_test_insert_duration_seconds",
            help: "Insert time.",
            labels: ["queue": "q\"1"],
            buckets: [0.005, 0.1, 1]
        )
        for value in [0.001, 0.005, 0.05, 0.5, 2.5] { histogram.observe(value) }
        histogram.observe(.milliseconds(250))
        registry.gauge("eventgrpc_test_computed", help: "Computed.") { 7 }
        #expect(
            registry.render() == """
                # HELP eventgrpc_test_computed Computed.
                # TYPE eventgrpc_test_computed gauge
                eventgrpc_test_computed 7
                # HELP eventgrpc_test_insert_duration_seconds Insert time.
                # TYPE eventgrpc_test_insert_duration_seconds histogram
                eventgrpc_test_insert_duration_seconds_bucket{queue="q\\"1",le="0.005"} 2
                eventgrpc_test_insert_duration_seconds_bucket{queue="q\\"1",le="0.1"} 3
                eventgrpc_test_insert_duration_seconds_bucket{queue="q\\"1",le="1"} 5
                eventgrpc_test_insert_duration_seconds_bucket{queue="q\\"1",le="+Inf"} 6
                eventgrpc_test_insert_duration_seconds_sum{queue="q\\"1"} 3.306
                eventgrpc_test_insert_duration_seconds_count{queue="q\\"1"} 6

                """
        )
    }

    @Test func anEmptyHistogramRendersZeros() {
        let registry = MetricsRegistry()
        _ = registry.histogram("eventgrpc_test_rows", help: "Rows.", buckets: [1, 10])
        #expect(
            registry.render() == """
                # HELP eventgrpc_test_rows Rows.
                # TYPE eventgrpc_test_rows histogram
                eventgrpc_test_rows_bucket{le="1"} 0
                eventgrpc_test_rows_bucket{le="10"} 0
                eventgrpc_test_rows_bucket{le="+Inf"} 0
                eventgrpc_test_rows_sum 0
                eventgrpc_test_rows_count 0

                """
        )
    }
}
