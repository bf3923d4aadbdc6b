import EventCore
import Foundation
import Synchronization
import Testing

@testable import GRPCServer
@testable import HTTP2Server

/// One real `HTTP2Connection` served by an event loop of its own over a socketpair; the test drives
/// `clientSocket`.
final class SocketPairServer: Sendable {
    let clientSocket: Int32
    private let loop: EventLoop
    private let exited = ClosedFlag()

    init(
        handler: any HTTP2RequestHandler,
        configuration: HTTP2ServerConfiguration = HTTP2ServerConfiguration(),
        budget: RequestBufferBudget? = nil
    ) throws {
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0 else {
            throw HTTP2Error(.sessionFailed, "socketpair() failed: \(SystemErrno.current)")
        }
        clientSocket = ends[1]
        _ = fcntl(ends[0], F_SETFL, O_NONBLOCK)
        let environment = ConnectionEnvironment(
            configuration: configuration,
            handler: handler,
            tls: nil,
            budget: budget ?? RequestBufferBudget(limit: configuration.maxBufferedRequestBytes),
            metrics: HTTP2ServerMetrics(registry: MetricsRegistry()),
            logger: Logger(label: "test", minimumLevel: .critical)
        )
        let exited = self.exited
        loop = try EventLoop(index: 0, environment: environment) { exited.value.store(true, ordering: .releasing) }
        loop.start()
        loop.adopt(ends[0])
    }

    /// Stops the event loop (its thread ends; connections still open are closed), as the server's stop does.
    func stopLoop() {
        loop.stop()
    }

    /// GOAWAY, as the server's drain sends it.
    func beginShutdown() {
        loop.drain()
    }

    /// Waits for the connection to close; false when it did not within `seconds` (a hang).
    func waitForExit(seconds: Int = 20) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !exited.value.load(ordering: .acquiring) && ContinuousClock.now < deadline {
            await Task.yield()
            usleep(1000)
        }
        return exited.value.load(ordering: .acquiring)
    }

    /// Writes all of `bytes`; false when the server closed its end.
    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                send(clientSocket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Reads what is there within `milliseconds`; nil at end of stream or on a reset.
    func read(milliseconds: Int32) -> [UInt8]? {
        var entry = pollfd(fd: clientSocket, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, milliseconds) > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let count = recv(clientSocket, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return Array(buffer[..<count])
    }

    deinit {
        loop.stop()
        close(clientSocket)
    }
}

/// Set by the loop when the connection closed.
private final class ClosedFlag: Sendable {
    let value = Atomic(false)
}
