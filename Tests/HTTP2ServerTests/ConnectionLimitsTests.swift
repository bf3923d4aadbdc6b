import EventCore
import Foundation
import Testing

@testable import HTTP2Server

/// Per-connection time limits on a real event loop over a socketpair: a client that never sends the preface, or
/// trickles a frame, is cut off and counted; a quiet but complete client is not.
@Suite struct ConnectionLimitsTests {
    static let hello = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + [0, 0, 0, 4, 0, 0, 0, 0, 0]

    enum Client: String, CaseIterable {
        case silent, trickling, quiet

        /// What the client sends after connecting.
        var bytes: [UInt8] {
            switch self {
            case .silent: []
            case .trickling: ConnectionLimitsTests.hello + [0, 0, 8]  // a frame header begun, never finished
            case .quiet: ConnectionLimitsTests.hello
            }
        }

        var cut: HTTP2ServerMetrics.CutReason? {
            switch self {
            case .silent: .preface
            case .trickling: .trickle
            case .quiet: nil
            }
        }
    }

    @Test(arguments: Client.allCases)
    func onlyClientsThatBreakALimitAreCutOff(client: Client) throws {
        var configuration = HTTP2ServerConfiguration()
        configuration.prefaceTimeout = .milliseconds(300)
        configuration.frameTimeout = .milliseconds(300)
        let metrics = HTTP2ServerMetrics(registry: MetricsRegistry())
        let environment = ConnectionEnvironment(
            configuration: configuration,
            handler: Unanswered(),
            tls: nil,
            budget: RequestBufferBudget(limit: 1 << 20),
            metrics: metrics,
            logger: Logger(label: "test", minimumLevel: .critical)
        )
        let loop = try EventLoop(index: 0, environment: environment) {}
        defer { loop.stop() }
        var ends: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0)
        defer { close(ends[1]) }
        _ = fcntl(ends[0], F_SETFL, O_NONBLOCK)
        loop.start()
        loop.adopt(ends[0])
        if !client.bytes.isEmpty { #expect(write(ends[1], client.bytes, client.bytes.count) == client.bytes.count) }
        // Limits are checked once a second: 2.5 s covers a 300 ms limit.
        let endedByServer = Self.readsUntilClosed(ends[1], seconds: 2.5)
        #expect(endedByServer == (client.cut != nil))
        for reason in HTTP2ServerMetrics.CutReason.allCases {
            #expect(metrics.cut[reason]?.value == (reason == client.cut ? 1 : 0), "\(reason)")
        }
    }

    /// True when the server closed the connection within `seconds`.
    static func readsUntilClosed(_ descriptor: Int32, seconds: Double) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 50) > 0 else { continue }
            if read(descriptor, &buffer, buffer.count) <= 0 { return true }
        }
        return false
    }
}

/// A handler that is never called in these tests (no request is ever complete).
private struct Unanswered: HTTP2RequestHandler {
    func handle(_ request: HTTP2Request, response: HTTP2ResponseWriter) async {
        response.send(HTTP2Response(status: 500))
    }
}
