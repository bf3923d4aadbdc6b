import EventCore
import Testing

@testable import GRPCServer
@testable import HTTP2Server

@Suite struct GRPCServerMetricsTests {
    static let headers = [HTTPField("content-type", "application/grpc")]

    func router(_ registry: MetricsRegistry) -> GRPCRouter {
        var router = GRPCRouter(
            logger: Logger(label: "test", minimumLevel: .critical),
            metrics: GRPCServerMetrics(registry: registry)
        )
        router.register("/test.Echo/echo") { message, _ in Array(message) }
        router.register("/test.Echo/fail") { _, _ in throw GRPCStatus(.invalidArgument, "bad") }
        router.registerServerStreaming("/test.Count/none") { _, _, _ in throw GRPCStatus(.notFound, "none") }
        return router
    }

    func call(_ router: GRPCRouter, _ path: String) async {
        _ = await router.handle(HTTP2Request(method: "POST", path: path, headers: Self.headers, body: [0, 0, 0, 0, 0]))
    }

    func sample(_ text: String, _ name: String, _ labels: String) -> String? {
        let prefix = "\(name){\(labels)} "
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    @Test func everyMethodIsPresentAtZeroForEveryCodeBeforeAnyCall() {
        let registry = MetricsRegistry()
        _ = router(registry)
        let text = registry.render()
        let echo = #"grpc_method="echo",grpc_service="test.Echo",grpc_type="unary""#
        #expect(sample(text, "grpc_server_started_total", echo) == "0")
        for code in ["OK", "Canceled", "InvalidArgument", "DataLoss", "Unauthenticated"] {
            #expect(sample(text, "grpc_server_handled_total", #"grpc_code="\#(code)","# + echo) == "0")
        }
        #expect(sample(text, "grpc_server_handling_seconds_count", echo) == "0")
        let stream = #"grpc_method="none",grpc_service="test.Count",grpc_type="server_stream""#
        #expect(sample(text, "grpc_server_started_total", stream) == "0")
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("grpc_server_handled_total{") }.count == 4 * 17)
    }

    @Test func callsAreCountedByMethodAndCode() async {
        let registry = MetricsRegistry()
        let router = router(registry)
        await call(router, "/test.Echo/echo")
        await call(router, "/test.Echo/echo")
        await call(router, "/test.Echo/fail")
        await call(router, "/test.Count/none")
        let text = registry.render()
        let echo = #"grpc_method="echo",grpc_service="test.Echo",grpc_type="unary""#
        let fail = #"grpc_method="fail",grpc_service="test.Echo",grpc_type="unary""#
        let none = #"grpc_method="none",grpc_service="test.Count",grpc_type="server_stream""#
        #expect(sample(text, "grpc_server_started_total", echo) == "2")
        #expect(sample(text, "grpc_server_handled_total", #"grpc_code="OK","# + echo) == "2")
        #expect(sample(text, "grpc_server_handling_seconds_count", echo) == "2")
        #expect(sample(text, "grpc_server_handled_total", #"grpc_code="InvalidArgument","# + fail) == "1")
        #expect(sample(text, "grpc_server_handled_total", #"grpc_code="NotFound","# + none) == "1")
    }

    @Test func unknownPathsCollapseIntoOneLabelValue() async {
        let registry = MetricsRegistry()
        let router = router(registry)
        for index in 0..<5 { await call(router, "/scan.Me/probe\(index)") }
        let text = registry.render()
        let unknown = #"grpc_method="unknown",grpc_service="unknown",grpc_type="unknown""#
        #expect(sample(text, "grpc_server_started_total", unknown) == "5")
        #expect(sample(text, "grpc_server_handled_total", #"grpc_code="Unimplemented","# + unknown) == "5")
        #expect(!text.contains("probe"))
    }

    @Test func requestsThatAreNotGRPCAreNotCounted() async {
        let registry = MetricsRegistry()
        let router = router(registry)
        _ = await router.handle(HTTP2Request(method: "GET", path: "/test.Echo/echo", headers: [], body: []))
        let echo = #"grpc_method="echo",grpc_service="test.Echo",grpc_type="unary""#
        #expect(sample(registry.render(), "grpc_server_started_total", echo) == "0")
    }

    @Test func refusalsBeforeTheHandlerAreCountedByReason() async throws {
        let registry = MetricsRegistry()
        var router = router(registry)
        let tokens = try GRPCBearerAuth(tokens: ["s3cret"])
        router.register("/test.Echo/guarded", authentication: GRPCAuthentication(tokens: tokens) { _, _ in }) {
            message,
            _ in Array(message)
        }
        let text = registry.render()
        for reason in ["unauthenticated", "message_too_large", "buffer_budget"] {
            #expect(sample(text, "eventgrpc_grpc_requests_refused_total", #"reason="\#(reason)""#) == "0")
        }
        let guarded = HTTP2Request(method: "POST", path: "/test.Echo/guarded", headers: Self.headers, body: [])
        #expect(router.screen(guarded)?.headers.contains(HTTPField("grpc-status", "16")) == true)
        _ = await router.handle(guarded)
        let allowed = HTTP2Request(
            method: "POST",
            path: "/test.Echo/guarded",
            headers: Self.headers + [HTTPField("authorization", "Bearer s3cret")],
            body: []
        )
        #expect(router.screen(allowed) == nil)
        for (tooLarge, budget) in [(true, false), (false, true), (false, true)] {
            _ = await router.handle(
                HTTP2Request(
                    method: "POST",
                    path: "/test.Echo/echo",
                    headers: Self.headers,
                    body: [],
                    bodyLimitExceeded: tooLarge,
                    bufferBudgetExhausted: budget
                )
            )
        }
        let after = registry.render()
        #expect(sample(after, "eventgrpc_grpc_requests_refused_total", #"reason="unauthenticated""#) == "2")
        #expect(sample(after, "eventgrpc_grpc_requests_refused_total", #"reason="message_too_large""#) == "1")
        #expect(sample(after, "eventgrpc_grpc_requests_refused_total", #"reason="buffer_budget""#) == "2")
    }
}
