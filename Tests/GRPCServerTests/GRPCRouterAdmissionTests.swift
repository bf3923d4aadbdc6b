import EventCore
import Synchronization
import TestSupport
import Testing

@testable import GRPCServer
@testable import HTTP2Server

/// A method's admission check (`GRPCAdmission`) on HEADERS: asked only after authentication passed; its status
/// answers the call before any body, the refusal is reported with the caller's identity, and it is counted.
@Suite struct GRPCRouterAdmissionTests {
    static let headers = [HTTPField("content-type", "application/grpc")]
    static let busy = GRPCStatus(
        .resourceExhausted,
        "too busy",
        trailers: [HTTPField("grpc-retry-pushback-ms", "1000")]
    )

    func router(_ registry: MetricsRegistry, asked: Journal, refuse: Bool) throws -> GRPCRouter {
        var router = GRPCRouter(
            logger: Logger(label: "test", minimumLevel: .critical),
            metrics: GRPCServerMetrics(registry: registry)
        )
        let tokens = try GRPCBearerAuth(tokens: ["name:s3cret"])
        let echo: GRPCUnaryHandler = { message, _ in Array(message) }
        let guarded = GRPCAdmission(
            check: {
                asked.append("checked")
                return refuse ? Self.busy : nil
            },
            refused: { status, context in asked.append("refused \(status.code) for \(context.client)") }
        )
        let authentication = GRPCAuthentication(tokens: tokens) { _, _ in }
        router.register("/test.Echo/guarded", authentication: authentication, admission: guarded, echo)
        router.register("/test.Echo/open", admission: GRPCAdmission { refuse ? Self.busy : nil }, echo)
        return router
    }

    func request(_ path: String, token: String? = nil) -> HTTP2Request {
        let auth = token.map { [HTTPField("authorization", "Bearer \($0)")] } ?? []
        return HTTP2Request(method: "POST", path: path, headers: Self.headers + auth, body: [])
    }

    @Test(arguments: [true, false])
    func theCheckIsAskedOnlyAfterAuthentication(refuse: Bool) throws {
        let asked = Journal()
        let router = try router(MetricsRegistry(), asked: asked, refuse: refuse)
        let unauthenticated = router.screen(request("/test.Echo/guarded"))
        #expect(unauthenticated?.headers.contains(HTTPField("grpc-status", "16")) == true)
        #expect(asked.all.isEmpty)
        let answer = router.screen(request("/test.Echo/guarded", token: "s3cret"))
        #expect(asked.all == (refuse ? ["checked", "refused RESOURCE_EXHAUSTED for name"] : ["checked"]))
        if refuse {
            #expect(answer?.status == 200)
            #expect(answer?.headers.contains(HTTPField("grpc-status", "8")) == true)
            #expect(answer?.headers.contains(HTTPField("grpc-retry-pushback-ms", "1000")) == true)
        } else {
            #expect(answer == nil)
        }
    }

    @Test func aRefusalIsCountedAsOverloadedAndAsAHandledCall() throws {
        let registry = MetricsRegistry()
        let router = try router(registry, asked: Journal(), refuse: true)
        for _ in 0..<3 { #expect(router.screen(request("/test.Echo/open")) != nil) }
        #expect(router.screen(HTTP2Request(method: "GET", path: "/test.Echo/open", headers: [], body: [])) == nil)
        let text = registry.render()
        let line = #"eventgrpc_grpc_requests_refused_total{reason="overloaded"} 3"#
        #expect(text.split(separator: "\n").contains { $0 == line })
        let handled = #"grpc_server_handled_total{grpc_code="ResourceExhausted",grpc_method="open","#
        #expect(text.split(separator: "\n").contains { $0.hasPrefix(handled) && $0.hasSuffix(" 3") })
    }
}
