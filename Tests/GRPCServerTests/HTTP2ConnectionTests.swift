import EventCore
import Testing

@testable import GRPCServer
@testable import HTTP2Server

/// A real `HTTP2Connection` over a socketpair, with a `GRPCRouter` above it.
@Suite struct HTTP2ConnectionTests {
    static let grpc = [HTTPField("content-type", "application/grpc"), HTTPField("te", "trailers")]

    static func router(limit: Int = 4 * 1024 * 1024) -> GRPCRouter {
        var router = GRPCRouter(maxMessageBytes: limit, logger: Logger(label: "test", minimumLevel: .critical))
        router.register("/test.Echo/echo") { message, _ in Array(message) }
        router.registerServerStreaming("/test.Echo/watch") { message, _, stream in
            stream.send(Array(message))
            if await stream.interruption() == .serverDraining {
                stream.send([0xDD])
                throw GRPCStatus(.unavailable, "draining")
            }
        }
        return router
    }

    static func configuration(_ change: (inout HTTP2ServerConfiguration) -> Void = { _ in }) -> HTTP2ServerConfiguration
    {
        var configuration = HTTP2ServerConfiguration()
        change(&configuration)
        return configuration
    }

    /// Splits `bytes` into chunks of random sizes (1 byte up to 20 KiB) chosen by `seed`.
    static func split(_ bytes: [UInt8], seed: UInt64) -> [[UInt8]] {
        var random = SeededRandom(seed: seed)
        var chunks: [[UInt8]] = []
        var offset = 0
        while offset < bytes.count {
            let size = min(bytes.count - offset, random.next(upTo: random.next(upTo: 2) == 0 ? 16 : 20_000) + 1)
            chunks.append(Array(bytes[offset..<offset + size]))
            offset += size
        }
        return chunks
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func messageSplitAcrossArbitraryDataFramesArrivesWhole(seed: UInt64) async throws {
        let message = (0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) }
        let client = try HTTP2TestClient(server: SocketPairServer(handler: Self.router()))
        let id = client.post(
            "/test.Echo/echo",
            headers: Self.grpc,
            chunks: Self.split(GRPCFraming.frame(message), seed: seed)
        )
        #expect(await client.run { $0.exchanges[id]?.closeCode != nil })
        let exchange = try #require(client.exchanges[id])
        #expect(exchange.field("grpc-status") == "0")
        #expect(exchange.body == GRPCFraming.frame(message))
    }

    @Test func manyConcurrentStreamsOnOneConnection() async throws {
        let client = try HTTP2TestClient(server: SocketPairServer(handler: Self.router()))
        let ids = (0..<60).map { index in
            client.post("/test.Echo/echo", headers: Self.grpc, chunks: [GRPCFraming.frame([UInt8(index)])])
        }
        #expect(await client.run { client in ids.allSatisfy { client.exchanges[$0]?.closeCode != nil } })
        for (index, id) in ids.enumerated() {
            #expect(client.exchanges[id]?.body == GRPCFraming.frame([UInt8(index)]))
        }
    }

    @Test func oversizedMessageIsRefusedEarlyAndTheConnectionStaysUsable() async throws {
        let server = try SocketPairServer(
            handler: Self.router(limit: 1024),
            configuration: Self.configuration { $0.maxRequestBodyBytes = 1024 + 5 }
        )
        let client = try HTTP2TestClient(server: server)
        let big = client.post(
            "/test.Echo/echo",
            headers: Self.grpc,
            chunks: [GRPCFraming.frame([UInt8](repeating: 1, count: 4096))],
            end: false
        )
        #expect(await client.run { $0.exchanges[big]?.closeCode != nil })
        #expect(client.exchanges[big]?.field("grpc-status") == "8")
        #expect(client.exchanges[big]?.closeCode == 0, "RST_STREAM(NO_ERROR) stops the upload")
        let small = client.post("/test.Echo/echo", headers: Self.grpc, chunks: [GRPCFraming.frame([5])])
        #expect(await client.run { $0.exchanges[small]?.closeCode != nil })
        #expect(client.exchanges[small]?.body == GRPCFraming.frame([5]))
    }

    @Test func streamsPastTheSharedBufferBudgetAreRefusedAndTheBudgetComesBack() async throws {
        let budget = RequestBufferBudget(limit: 3000)
        let server = try SocketPairServer(handler: Self.router(), budget: budget)
        let client = try HTTP2TestClient(server: server)
        let held = client.post(
            "/test.Echo/echo",
            headers: Self.grpc,
            chunks: [[0, 0, 0, 0x0f, 0xa0] + [UInt8](repeating: 1, count: 2500)],
            end: false
        )
        #expect(await client.run { _ in budget.inUse >= 2505 })
        let refused = client.post(
            "/test.Echo/echo",
            headers: Self.grpc,
            chunks: [GRPCFraming.frame([UInt8](repeating: 2, count: 1000))]
        )
        #expect(await client.run { $0.exchanges[refused]?.closeCode != nil })
        #expect(client.exchanges[refused]?.field("grpc-status") == "8")
        #expect(client.exchanges[refused]?.field("grpc-retry-pushback-ms") == "1000")
        #expect(client.exchanges[held]?.closeCode == nil, "the first stream keeps its bytes")
        client.reset(held)
        #expect(await client.run { _ in budget.inUse == 0 })
        let later = client.post("/test.Echo/echo", headers: Self.grpc, chunks: [GRPCFraming.frame([3])])
        #expect(await client.run { $0.exchanges[later]?.closeCode != nil })
        #expect(client.exchanges[later]?.body == GRPCFraming.frame([3]))
    }

    @Test func requestThatNeverCompletesIsResetAfterTheRequestTimeout() async throws {
        let server = try SocketPairServer(
            handler: Self.router(),
            configuration: Self.configuration { $0.requestTimeout = .milliseconds(200) }
        )
        let client = try HTTP2TestClient(server: server)
        let id = client.post("/test.Echo/echo", headers: Self.grpc, chunks: [[0, 0]], end: false)
        #expect(await client.run { $0.exchanges[id]?.closeCode != nil })
        #expect(client.exchanges[id]?.closeCode == 8, "RST_STREAM(CANCEL)")
    }

    @Test func oversizedHeaderListResetsTheStreamOnly() async throws {
        let server = try SocketPairServer(
            handler: Self.router(),
            configuration: Self.configuration { $0.maxHeaderListBytes = 4096 }
        )
        let client = try HTTP2TestClient(server: server)
        let big = client.post(
            "/test.Echo/echo",
            headers: Self.grpc + [HTTPField("x-big", String(repeating: "a", count: 5000))],
            chunks: [GRPCFraming.frame([1])]
        )
        #expect(await client.run { $0.exchanges[big]?.closeCode != nil })
        #expect(client.exchanges[big]?.field("grpc-status") == nil)
        let small = client.post("/test.Echo/echo", headers: Self.grpc, chunks: [GRPCFraming.frame([2])])
        #expect(await client.run { $0.exchanges[small]?.closeCode != nil })
        #expect(client.exchanges[small]?.body == GRPCFraming.frame([2]))
    }

    @Test func streamedResponseEndsWithGoawayAndDrainingStatusOnShutdown() async throws {
        let server = try SocketPairServer(handler: Self.router())
        let client = try HTTP2TestClient(server: server)
        let id = client.post("/test.Echo/watch", headers: Self.grpc, chunks: [GRPCFraming.frame([7])])
        #expect(
            await client.run { $0.exchanges[id]?.body == GRPCFraming.frame([7]) },
            "the first message arrives alone"
        )
        #expect(client.exchanges[id]?.closeCode == nil)
        server.beginShutdown()
        #expect(await client.run { $0.exchanges[id]?.closeCode != nil })
        #expect(client.goawayReceived)
        #expect(client.exchanges[id]?.body == GRPCFraming.frame([7]) + GRPCFraming.frame([0xDD]))
        #expect(client.exchanges[id]?.field("grpc-status") == "14")
        #expect(await server.waitForExit(), "the connection closes once its last stream ended")
    }

    @Test func clientResetEndsAStreamingHandler() async throws {
        let server = try SocketPairServer(handler: Self.router())
        let client = try HTTP2TestClient(server: server)
        let id = client.post("/test.Echo/watch", headers: Self.grpc, chunks: [GRPCFraming.frame([7])])
        #expect(await client.run { $0.exchanges[id]?.body.isEmpty == false })
        nghttp2TestReset(client, id)
        #expect(await client.run { $0.exchanges[id]?.closeCode != nil })
        let next = client.post("/test.Echo/echo", headers: Self.grpc, chunks: [GRPCFraming.frame([3])])
        #expect(await client.run { $0.exchanges[next]?.closeCode != nil })
        #expect(client.exchanges[next]?.body == GRPCFraming.frame([3]))
    }
}
