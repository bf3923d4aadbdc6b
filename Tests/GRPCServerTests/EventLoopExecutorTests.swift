import EventCore
import Foundation
import Synchronization
import Testing

@testable import GRPCServer
@testable import HTTP2Server

/// A request handler runs on its connection's event loop (the loop is its task executor), before and after it
/// suspends, also when another thread resumes it; a handler that outlives its loop still finishes.
@Suite(.timeLimit(.minutes(1)))
struct EventLoopExecutorTests {
    static let grpc = HTTP2ConnectionTests.grpc

    /// The calling thread's name (`h2-loop-N` on an event loop).
    static func threadName() -> String {
        let name = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)
        return name?.trimmingCharacters(in: .newlines) ?? "?"
    }

    @Test func aHandlerRunsOnItsLoopBeforeAndAfterAnotherThreadResumesIt() async throws {
        let names = Mutex<[String]>([])
        var router = GRPCRouter(logger: Logger(label: "test", minimumLevel: .critical))
        router.register("/test.Echo/echo") { message, _ in
            names.withLock { $0.append(Self.threadName()) }
            // Resumed from a thread of its own, as the publisher resumes a call when the broker confirms.
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let thread = Thread { continuation.resume() }
                thread.start()
            }
            names.withLock { $0.append(Self.threadName()) }
            return Array(message)
        }
        let server = try SocketPairServer(handler: router)
        let client = try HTTP2TestClient(server: server)
        let id = client.post("/test.Echo/echo", headers: Self.grpc, chunks: [GRPCFraming.frame([1, 2, 3])])
        #expect(await client.run { $0.exchanges[id]?.closeCode != nil })
        #expect(client.exchanges[id]?.field("grpc-status") == "0")
        #expect(names.withLock { $0 } == ["h2-loop-0", "h2-loop-0"])
    }

    @Test func aHandlerThatOutlivesItsLoopStillFinishes() async throws {
        let release = Latch()
        let started = Atomic(false)
        let finished = Latch()
        var router = GRPCRouter(logger: Logger(label: "test", minimumLevel: .critical))
        router.register("/test.Echo/hold") { message, _ in
            started.store(true, ordering: .releasing)
            await release.wait()
            finished.open()
            return Array(message)
        }
        let server = try SocketPairServer(handler: router)
        let client = try HTTP2TestClient(server: server)
        _ = client.post("/test.Echo/hold", headers: Self.grpc, chunks: [GRPCFraming.frame([1])])
        let handlerStarted = await client.run { _ in started.load(ordering: .acquiring) }
        #expect(handlerStarted)
        server.stopLoop()
        #expect(await server.waitForExit())
        // The loop's thread is gone: the handler's next job goes to the global executor. A job stuck in the
        // stopped loop's inbox would never finish it (the wait ends at the deadline, the latch still closed).
        release.open()
        try await withDeadline(.seconds(10)) { await finished.wait() }
        #expect(finished.isOpen, "the handler finished after its loop stopped")
    }
}
