import EventCore
import Testing

@testable import GRPCServer
@testable import HTTP2Server

@Suite struct GRPCRouterTests {
    static let grpcHeaders = [HTTPField("content-type", "application/grpc"), HTTPField("te", "trailers")]

    func makeRouter() -> GRPCRouter {
        var router = GRPCRouter(maxMessageBytes: 16, logger: Logger(label: "test", minimumLevel: .critical))
        router.register("/test.Echo/echo") { message, _ in Array(message.reversed()) }
        router.register("/test.Echo/fail") { _, _ in throw GRPCStatus(.invalidArgument, "events[2]: bad 100%") }
        router.register("/test.Echo/slow") { message, _ in
            try await Task.sleep(for: .seconds(5))
            return Array(message)
        }
        return router
    }

    func request(_ path: String, body: [UInt8], headers: [HTTPField] = grpcHeaders) -> HTTP2Request {
        HTTP2Request(method: "POST", path: path, headers: headers, body: body)
    }

    func field(_ name: String, _ response: HTTP2Response) -> String? {
        (response.headers + response.trailers).first { $0.name == name }?.value
    }

    @Test func unaryCallIsFramedWithStatusTrailers() async {
        let response = await makeRouter().handle(request("/test.Echo/echo", body: [0, 0, 0, 0, 3, 1, 2, 3]))
        #expect(response.status == 200)
        #expect(response.body == [0, 0, 0, 0, 3, 3, 2, 1])
        #expect(response.trailers == [HTTPField("grpc-status", "0")])
    }

    @Test func thrownStatusBecomesTrailersOnlyWithPercentEncodedMessage() async {
        let response = await makeRouter().handle(request("/test.Echo/fail", body: [0, 0, 0, 0, 0]))
        #expect(response.body.isEmpty && response.trailers.isEmpty)
        #expect(field("grpc-status", response) == "3")
        #expect(field("grpc-message", response) == "events[2]: bad 100%25")
    }

    @Test func wrongContentTypeIsHTTP415() async {
        let response = await makeRouter().handle(
            request("/test.Echo/echo", body: [0, 0, 0, 0, 0], headers: [HTTPField("content-type", "application/json")])
        )
        #expect(response.status == 415)
        #expect(field("grpc-status", response) == nil)
    }

    @Test(arguments: [
        ("/test.Echo/missing", [UInt8]([0, 0, 0, 0, 0]), [HTTPField](), 12),
        ("/test.Echo/echo", [0, 0, 0, 0, 17] + [UInt8](repeating: 1, count: 17), [], 8),
        ("/test.Echo/echo", [0, 0, 0], [], 13),
        ("/test.Echo/echo", [0, 0, 0, 0, 4, 1], [], 13),
        ("/test.Echo/echo", [1, 0, 0, 0, 1, 1], [], 13),
        ("/test.Echo/echo", [0, 0, 0, 0, 1, 1], [HTTPField("grpc-encoding", "br")], 12),
        ("/test.Echo/echo", [1, 0, 0, 0, 1, 1], [HTTPField("grpc-encoding", "identity")], 13),
        ("/test.Echo/echo", [2, 0, 0, 0, 1, 1], [], 13),
        ("/test.Echo/echo", [0, 0, 0, 0, 1, 1], [HTTPField("grpc-timeout", "123456789S")], 3),
    ])
    func earlyFailuresHaveTheirStatus(path: String, body: [UInt8], extra: [HTTPField], code: Int) async {
        let response = await makeRouter().handle(request(path, body: body, headers: Self.grpcHeaders + extra))
        #expect(response.status == 200)
        #expect(field("grpc-status", response) == String(code))
    }

    @Test func oversizedBodyIsResourceExhausted() async {
        var oversized = request("/test.Echo/echo", body: [])
        oversized.bodyLimitExceeded = true
        let response = await makeRouter().handle(oversized)
        #expect(field("grpc-status", response) == "8")
    }

    @Test func deadlineAnswersDeadlineExceeded() async {
        let response = await makeRouter().handle(
            request(
                "/test.Echo/slow",
                body: [0, 0, 0, 0, 0],
                headers: Self.grpcHeaders + [HTTPField("grpc-timeout", "50m")]
            )
        )
        #expect(field("grpc-status", response) == "4")
    }
}

@Suite struct GRPCHeaderValueTests {
    @Test(arguments: [
        ("1H", Duration.seconds(3600)), ("2M", .seconds(120)), ("3S", .seconds(3)), ("250m", .milliseconds(250)),
        ("99999999u", .microseconds(99_999_999)), ("7n", .nanoseconds(7)),
    ])
    func parsesTimeouts(text: String, expected: Duration) {
        #expect(GRPCTimeout.parse(text) == expected)
    }

    @Test(arguments: ["", "S", "123456789S", "10x", "-1S", "1.5S"])
    func refusesMalformedTimeouts(text: String) {
        #expect(GRPCTimeout.parse(text) == nil)
    }

    @Test func percentEncodingRoundTripsUnicodeAndPercent() {
        let message = "café 100% \n done"
        let encoded = GRPCPercentEncoding.encode(message)
        #expect(encoded == "caf%C3%A9 100%25 %0A done")
        #expect(GRPCPercentEncoding.decode(encoded) == message)
    }

    @Test func framingPrefixesLength() {
        #expect(GRPCFraming.frame([9, 8]) == [0, 0, 0, 0, 2, 9, 8])
        #expect(GRPCFraming.frame([]) == [0, 0, 0, 0, 0])
    }
}
