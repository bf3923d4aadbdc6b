import EventCore
import Testing

@testable import GRPCServer
@testable import HTTP2Server

@Suite struct GRPCGzipTests {
    static let headers = [HTTPField("content-type", "application/grpc"), HTTPField("grpc-encoding", "gzip")]

    func router(limit: Int = 1024) -> GRPCRouter {
        var router = GRPCRouter(maxMessageBytes: limit, logger: Logger(label: "test", minimumLevel: .critical))
        router.register("/test.Echo/echo") { message, _ in Array(message) }
        return router
    }

    func compressedFrame(_ payload: [UInt8]) -> [UInt8] {
        var framed = GRPCFraming.frame(GRPCGzip.compress(payload))
        framed[0] = 1
        return framed
    }

    func status(_ response: HTTP2Response) -> String? {
        (response.headers + response.trailers).first { $0.name == "grpc-status" }?.value
    }

    @Test(arguments: [0, 1, 700, 1024])
    func compressedMessageIsDecompressedForTheHandler(size: Int) async {
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let response = await router().handle(
            HTTP2Request(method: "POST", path: "/test.Echo/echo", headers: Self.headers, body: compressedFrame(payload))
        )
        #expect(status(response) == "0")
        #expect(response.body == GRPCFraming.frame(payload))
    }

    @Test func uncompressedFlagIsAcceptedUnderGzipEncoding() async {
        let response = await router().handle(
            HTTP2Request(method: "POST", path: "/test.Echo/echo", headers: Self.headers, body: [0, 0, 0, 0, 1, 7])
        )
        #expect(response.body == [0, 0, 0, 0, 1, 7])
    }

    @Test func zipBombStopsAtTheLimit() async {
        let bomb = compressedFrame([UInt8](repeating: 0, count: 8 * 1024 * 1024))
        #expect(bomb.count < 64 * 1024)
        let response = await router(limit: 1024).handle(
            HTTP2Request(method: "POST", path: "/test.Echo/echo", headers: Self.headers, body: bomb)
        )
        #expect(status(response) == "8")
    }

    @Test func decompressionRefusesPastTheLimitAndAcceptsAtIt() throws {
        let exact = [UInt8](repeating: 42, count: 100_000)
        #expect(try GRPCGzip.decompress(GRPCGzip.compress(exact), limit: 100_000) == exact)
        #expect(throws: GRPCStatus.self) { try GRPCGzip.decompress(GRPCGzip.compress(exact), limit: 99_999) }
    }

    @Test func corruptTruncatedOrTrailingInputIsInternal() {
        let good = GRPCGzip.compress(Array("hello, gzip".utf8))
        let cases: [[UInt8]] = [
            [], Array(good.dropLast(4)), good + [0], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff],
            Array("not gzip at all".utf8),
        ]
        for input in cases {
            #expect(throws: GRPCStatus.self) { try GRPCGzip.decompress(input, limit: 1024) }
            do {
                _ = try GRPCGzip.decompress(input, limit: 1024)
            } catch {
                #expect(error.code == .internalError)
            }
        }
    }

    @Test func knownVectorFromTheGzipTool() throws {
        // `printf 'event-grpc' | gzip -9n | xxd -i`
        let vector: [UInt8] = [
            0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x4b, 0x2d, 0x4b, 0xcd, 0x2b, 0xd1,
            0x4d, 0x2f, 0x2a, 0x48, 0x06, 0x00, 0x88, 0x1a, 0x9d, 0xb7, 0x0a, 0x00, 0x00, 0x00,
        ]
        #expect(try GRPCGzip.decompress(vector, limit: 64) == Array("event-grpc".utf8))
    }
}
