import EventCore
import Glibc
import Synchronization
import Testing

@testable import GRPCServer
@testable import HTTP2Server

/// Who holds a request's bytes: an unauthenticated call is refused on its HEADERS without its body being buffered,
/// and an authenticated call's body stays counted in the shared budget until its handler is done, even when the
/// client resets the stream or leaves.
@Suite struct HTTP2RequestOwnershipTests {
    static let grpc = HTTP2ConnectionTests.grpc

    /// The contexts of refused calls, as the router reports them.
    final class Refusals: Sendable {
        let contexts = Mutex<[GRPCCallContext]>([])
    }
    static let fourMiB = [UInt8](repeating: 7, count: 4 * 1024 * 1024)

    /// A router whose echo method needs the token `s3cret`; refusals are recorded.
    static func guardedRouter(
        refusals: Refusals,
        handler: @escaping GRPCUnaryHandler = { message, _ in Array(message) }
    ) throws -> GRPCRouter {
        var router = GRPCRouter(logger: Logger(label: "test", minimumLevel: .critical))
        let authentication = GRPCAuthentication(tokens: try GRPCBearerAuth(tokens: ["alice:s3cret"])) {
            _,
            context in
            refusals.contexts.withLock { $0.append(context) }
        }
        router.register("/test.Echo/echo", authentication: authentication, handler)
        return router
    }

    /// 16 KiB DATA frames carrying `message` in one gRPC frame.
    static func chunks(_ message: [UInt8]) -> [[UInt8]] {
        let framed = GRPCFraming.frame(message)
        return stride(from: 0, to: framed.count, by: 16 * 1024).map {
            Array(framed[$0..<min($0 + 16 * 1024, framed.count)])
        }
    }

    @Test(arguments: [nil, "Bearer guessed", "Basic s3cret"] as [String?])
    func anUnauthenticatedCallIsRefusedBeforeItsBodyIsBuffered(authorization: String?) async throws {
        let refusals = Refusals()
        let budget = RequestBufferBudget(limit: 64 * 1024 * 1024)
        let server = try SocketPairServer(handler: Self.guardedRouter(refusals: refusals), budget: budget)
        let client = try HTTP2TestClient(server: server)
        let headers = Self.grpc + (authorization.map { [HTTPField("authorization", $0)] } ?? [])
        // HEADERS only: the body is held back, so any answer came from the headers alone.
        let id = client.post("/test.Echo/echo", headers: headers, chunks: [], end: false)
        #expect(await client.run { $0.exchanges[id]?.closeCode != nil })
        #expect(client.exchanges[id]?.field("grpc-status") == "16")
        let refused = refusals.contexts.withLock { $0 }
        #expect(refused.count == 1)
        #expect(refused.first?.client.isEmpty == false, "the log line names who called")
        // Sending the 4 MiB body anyway buffers none of it.
        var mostHeld = 0
        let big = client.post("/test.Echo/echo", headers: headers, chunks: Self.chunks(Self.fourMiB))
        #expect(
            await client.run { client in
                mostHeld = max(mostHeld, budget.inUse)
                return client.exchanges[big]?.closeCode != nil
            }
        )
        #expect(client.exchanges[big]?.field("grpc-status") == "16")
        #expect(mostHeld == 0)
        #expect(budget.inUse == 0)
    }

    @Test func anAuthenticatedCallReachesItsHandlerWithTheClientsName() async throws {
        let refusals = Refusals()
        let router = try Self.guardedRouter(refusals: refusals) { message, context in
            Array(context.client.utf8) + [UInt8(truncatingIfNeeded: message.count)]
        }
        let client = try HTTP2TestClient(server: SocketPairServer(handler: router))
        let headers = Self.grpc + [HTTPField("authorization", "Bearer s3cret")]
        let id = client.post("/test.Echo/echo", headers: headers, chunks: Self.chunks([1, 2, 3]))
        #expect(await client.run { $0.exchanges[id]?.closeCode != nil })
        #expect(client.exchanges[id]?.field("grpc-status") == "0")
        #expect(client.exchanges[id]?.body == GRPCFraming.frame(Array("alice".utf8) + [3]))
        #expect(refusals.contexts.withLock { $0.isEmpty })
    }

    @Test(arguments: [false, true])
    func aResetOrDisconnectDoesNotFreeTheBudgetWhileTheHandlerHoldsTheRequest(disconnect: Bool) async throws {
        let release = Latch()
        let started = Atomic(0)
        let budget = RequestBufferBudget(limit: 4 * 1024 * 1024 + 1024)
        var router = GRPCRouter(logger: Logger(label: "test", minimumLevel: .critical))
        router.register("/test.Echo/hold") { message, _ in
            started.add(1, ordering: .relaxed)
            await release.wait()
            return [UInt8(truncatingIfNeeded: message.count)]
        }
        let server = try SocketPairServer(handler: router, budget: budget)
        let client = try HTTP2TestClient(server: server)
        let held = client.post("/test.Echo/hold", headers: Self.grpc, chunks: Self.chunks(Self.fourMiB))
        #expect(await client.run { _ in started.load(ordering: .relaxed) == 1 })
        let reserved = budget.inUse
        #expect(reserved >= Self.fourMiB.count)
        if disconnect {
            Glibc.shutdown(server.clientSocket, Int32(SHUT_RDWR))
            #expect(await server.waitForExit())
        } else {
            client.reset(held)
            #expect(await client.run { $0.exchanges[held]?.closeCode != nil })
            // The next full request does not fit: the first one's bytes are still the handler's.
            let next = client.post("/test.Echo/hold", headers: Self.grpc, chunks: Self.chunks(Self.fourMiB))
            #expect(await client.run { $0.exchanges[next]?.closeCode != nil })
            #expect(client.exchanges[next]?.field("grpc-status") == "8")
        }
        #expect(budget.inUse == reserved, "the budget came back while the handler still holds the request")
        release.open()
        let deadline = ContinuousClock.now + .seconds(10)
        while budget.inUse != 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(budget.inUse == 0)
    }
}
