import EventCore
import Testing

@testable import GRPCServer
@testable import HTTP2Server

@Suite struct GRPCRouterStreamingTests {
    static let headers = [HTTPField("content-type", "application/grpc")]

    func request(_ path: String, extra: [HTTPField] = []) -> HTTP2Request {
        HTTP2Request(method: "POST", path: path, headers: Self.headers + extra, body: [0, 0, 0, 0, 1, 3])
    }

    func router() -> GRPCRouter {
        var router = GRPCRouter(logger: Logger(label: "test", minimumLevel: .critical))
        router.registerServerStreaming("/test.Count/count") { message, _, stream in
            for value in 1...message.first! { stream.send([value]) }
        }
        router.registerServerStreaming("/test.Count/none") { _, _, _ in
            throw GRPCStatus(.notFound, "nothing to count")
        }
        router.registerServerStreaming("/test.Count/failLate") { _, _, stream in
            stream.send([1])
            throw GRPCStatus(.failedPrecondition, "lost after one")
        }
        router.registerServerStreaming("/test.Count/forever") { _, _, stream in
            stream.send([0])
            if await stream.interruption() == .serverDraining { throw GRPCStatus(.unavailable, "draining") }
        }
        return router
    }

    func status(_ fields: [HTTPField]) -> String? { fields.first { $0.name == "grpc-status" }?.value }

    @Test func messagesThenStatusTrailers() async throws {
        let response = try #require(await router().handle(request("/test.Count/count")) as HTTP2Response?)
        #expect(response.status == 200)
        #expect(response.body == GRPCFraming.frame([1]) + GRPCFraming.frame([2]) + GRPCFraming.frame([3]))
        #expect(status(response.trailers) == "0")
    }

    @Test func errorBeforeAnyMessageIsTrailersOnly() async {
        let recorder = ResponseRecorder()
        await router().handle(request("/test.Count/none"), response: recorder.writer)
        guard case .head(200, let headers, endsStream: true) = recorder.recorded.first else {
            Issue.record("expected one HEADERS that ends the stream, got \(recorder.recorded)")
            return
        }
        #expect(recorder.recorded.count == 1)
        #expect(status(headers) == "5")
    }

    @Test func errorAfterAMessageGoesInTrailers() async throws {
        let response = try #require(await router().handle(request("/test.Count/failLate")) as HTTP2Response?)
        #expect(response.body == GRPCFraming.frame([1]))
        #expect(status(response.trailers) == "9")
        #expect(response.trailers.contains(HTTPField("grpc-message", "lost after one")))
    }

    @Test func deadlineEndsAStreamThatWouldRunForever() async throws {
        let response = await router().handle(request("/test.Count/forever", extra: [HTTPField("grpc-timeout", "30m")]))
        #expect(response.body == GRPCFraming.frame([0]))
        #expect(status(response.trailers) == "4")
    }

    @Test(arguments: [HTTP2StreamInterruption.closed, .serverDraining])
    func interruptionEndsTheHandler(reason: HTTP2StreamInterruption) async {
        let recorder = ResponseRecorder()
        let call = Task { await router().handle(request("/test.Count/forever"), response: recorder.writer) }
        while recorder.recorded.count < 2 { await Task.yield() }
        recorder.writer.interrupt(reason)
        await call.value
        if reason == .serverDraining {
            #expect(status(recorder.response?.trailers ?? []) == "14")
        } else {
            #expect(recorder.recorded.count == 2, "nothing is sent after the stream closed")
            #expect(recorder.writer.isFinished)
        }
    }
}
