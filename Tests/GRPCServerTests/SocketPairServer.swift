import EventCore
import Foundation
import Synchronization
import Testing

@testable import GRPCServer
@testable import HTTP2Server

/// One real `HTTP2Connection` served on its own thread over a socketpair; the test drives `clientSocket`.
final class SocketPairServer: Sendable {
    let clientSocket: Int32
    let connection: HTTP2Connection
    private let exited = Atomic(false)

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
        connection = try HTTP2Connection(
            socket: ends[0],
            configuration: configuration,
            handler: handler,
            budget: budget ?? RequestBufferBudget(limit: configuration.maxBufferedRequestBytes),
            logger: Logger(label: "test", minimumLevel: .critical)
        )
        Thread { [self] in
            connection.run()
            exited.store(true, ordering: .releasing)
        }.start()
    }

    /// Waits for the connection thread to end; false when it did not within `seconds` (a hang).
    func waitForExit(seconds: Int = 20) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !exited.load(ordering: .acquiring) && ContinuousClock.now < deadline {
            await Task.yield()
            usleep(1000)
        }
        return exited.load(ordering: .acquiring)
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
        close(clientSocket)
    }
}
