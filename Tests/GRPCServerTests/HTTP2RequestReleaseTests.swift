import EventCore
import Glibc
import Synchronization
import Testing

@testable import GRPCServer
@testable import HTTP2Server

/// A unary handler owns its message: once it lets go of it (`consume`) the request's bytes are freed, and
/// `releaseRequest()` gives them back to the request-buffer budget while the call goes on (a queued `dispatch` call
/// holds its broker JSON, not its request as well).
@Suite(.serialized) struct HTTP2RequestReleaseTests {
    static let grpc = HTTP2ConnectionTests.grpc

    /// Bytes the process has allocated with malloc, in every arena and mapped on their own, from glibc's
    /// `malloc_info` report (its last totals are the whole process's): taken from the system, less the free
    /// chunks, plus the mapped chunks. Found with `dlsym`: Glibc's module map leaves out `malloc.h`.
    static func allocatedBytes() throws -> Int {
        typealias MallocInfo = @convention(c) (Int32, UnsafeMutablePointer<FILE>?) -> Int32
        let symbol = try #require(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_info"))
        let mallocInfo = unsafeBitCast(symbol, to: MallocInfo.self)
        var buffer: UnsafeMutablePointer<CChar>?
        var size = 0
        let stream = try #require(open_memstream(&buffer, &size))
        #expect(mallocInfo(0, stream) == 0)
        fclose(stream)
        defer { free(buffer) }
        let report = String(cString: try #require(buffer))
        func last(_ tag: String) throws -> Int {
            let line = try #require(report.split(separator: "\n").last { $0.contains(tag) })
            let value = try #require(line.split(separator: "size=\"").last?.prefix { $0 != "\"" })
            return try #require(Int(value))
        }
        let free = try last(#"<total type="fast""#) + last(#"<total type="rest""#)
        return try last(#"<system type="current""#) - free + last(#"<total type="mmap""#)
    }

    /// What the handler saw: allocated bytes while it held the message and after it let go of it, and the
    /// budget's use at those two moments.
    final class Seen: Sendable {
        let values = Mutex<[String: Int]>([:])
        subscript(_ key: String) -> Int? { values.withLock { $0[key] } }
        func record(_ key: String, _ value: Int) { values.withLock { $0[key] = value } }
    }

    /// The freed bytes are read from the whole process's allocations, which a test running in parallel may move:
    /// the call is repeated up to three times and the largest drop counts (run alone, the first one shows it).
    @Test(arguments: [false, true])
    func aHandlerThatLetsGoOfItsMessageFreesItsBytes(releases: Bool) async throws {
        let seen = Seen()
        let release = Latch()
        let budget = RequestBufferBudget(limit: 64 * 1024 * 1024)
        var router = GRPCRouter(logger: Logger(label: "test", minimumLevel: .critical))
        router.register("/test.Echo/drop") { message, context in
            let count = message.count
            let held = (try? Self.allocatedBytes()) ?? 0
            seen.record("budget held", budget.inUse)
            _ = consume message
            if releases { context.releaseRequest() }
            let dropped = (try? Self.allocatedBytes()) ?? Int.max
            seen.record("freed", max(seen["freed"] ?? Int.min, held - dropped))
            seen.record("budget dropped", budget.inUse)
            await release.wait()
            return [UInt8(truncatingIfNeeded: count)]
        }
        let server = try SocketPairServer(handler: router, budget: budget)
        let client = try HTTP2TestClient(server: server)
        let message = [UInt8](repeating: 7, count: 4 * 1024 * 1024)
        let chunks = HTTP2RequestOwnershipTests.chunks(message)
        let id = client.post("/test.Echo/drop", headers: Self.grpc, chunks: chunks)
        #expect(await client.run { _ in seen["budget dropped"] != nil })
        #expect(try #require(seen["budget held"]) >= message.count)
        #expect(seen["budget dropped"] == (releases ? 0 : seen["budget held"]))
        #expect(budget.inUse == seen["budget dropped"], "given back while the handler still runs, not before")
        release.open()
        #expect(await client.run { $0.exchanges[id]?.closeCode != nil })
        #expect(client.exchanges[id]?.field("grpc-status") == "0")
        #expect(budget.inUse == 0, "given back once, whoever gave it back first")
        let enough = message.count - 64 * 1024
        for _ in 0..<2 where try #require(seen["freed"]) < enough {
            let again = client.post("/test.Echo/drop", headers: Self.grpc, chunks: chunks)
            #expect(await client.run { $0.exchanges[again]?.closeCode != nil })
        }
        #expect(try #require(seen["freed"]) >= enough, "the request's bytes outlived the handler's message")
    }
}
