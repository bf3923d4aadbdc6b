import Foundation
import Synchronization
import Testing

@testable import EventCore

/// The admin server under hostile clients: trickling (slow-loris) and crowding connections must not delay a
/// probe, and are cut at the request deadline.
@Suite struct AdminServerTests {
    /// A running server on a free loopback port; `stop()` shuts it down and waits for `run()`.
    struct Running {
        let server: AdminServer
        let port: Int
        let registry: MetricsRegistry

        init(limits: AdminServerLimits) throws {
            registry = MetricsRegistry()
            let router = AdminRouter(
                readiness: Readiness(),
                metrics: registry,
                token: nil,
                logger: Logger(label: "test", minimumLevel: .critical)
            )
            server = AdminServer(
                host: "127.0.0.1",
                port: 0,
                router: router,
                limits: limits,
                logger: Logger(label: "test", minimumLevel: .critical)
            )
            port = try server.bind()
            // Its own thread, not `run()`: the cooperative pool may be busy with other suites for seconds.
            try server.startOnThread()
        }

        func stop() {
            server.shutdown()
        }
    }

    static func connect(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        precondition(connected == 0, "cannot connect to the admin server: \(SystemErrno.current)")
        return fd
    }

    static func send(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Everything the server sends until it closes (or `seconds` pass).
    static func readAll(_ fd: Int32, seconds: Int32) -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while poll(&entry, 1, seconds * 1000) > 0 {
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// One `GET /heartbeat/` on a new connection: the answer and how long it took.
    static func probe(_ port: Int) -> (String, Duration) {
        let started = ContinuousClock.now
        let fd = connect(port)
        defer { close(fd) }
        send(fd, "GET /heartbeat/ HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = readAll(fd, seconds: 5)
        return (answer, ContinuousClock.now - started)
    }

    /// Runs blocking client code on a thread of its own (the cooperative pool must stay free to start the server)
    /// and returns what it produced.
    static func offPool<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async throws -> Value {
        let result = Mutex<Value?>(nil)
        try await runOnDedicatedThread(named: "admin-client") {
            let value = body()
            result.withLock { $0 = value }
        }
        return result.withLock { $0 }!
    }

    struct LorisReport: Sendable {
        var probes: [(answer: String, took: Duration)] = []
        var leftovers: [String] = []
        var elapsed: Duration = .zero
    }

    @Test(arguments: [
        (loris: 40, maxConnections: 64),  // fewer than the limit: all held until their deadline
        (loris: 100, maxConnections: 16),  // more than the limit: the oldest make room
    ])
    func slowLorisDoesNotDelayTheHeartbeat(loris: Int, maxConnections: Int) async throws {
        var limits = AdminServerLimits()
        limits.maxConnections = maxConnections
        limits.requestTimeout = .milliseconds(1500)
        let running = try Running(limits: limits)
        let port = running.port
        let report = try await Self.offPool {
            var report = LorisReport()
            let started = ContinuousClock.now
            let lorises = (0..<loris).map { _ in Self.connect(port) }
            for fd in lorises { Self.send(fd, "GET /heart") }
            // Trickle a byte per connection every 100 ms, and probe in between, for 1.2 s (under the deadline).
            for round in 0..<12 {
                for fd in lorises { Self.send(fd, "b") }
                if round % 3 == 0 { report.probes.append(Self.probe(port)) }
                usleep(100_000)
            }
            // Every loris is closed without an answer by its deadline (1.5 s after accept), however it trickles.
            for fd in lorises {
                Self.send(fd, "b")
                report.leftovers.append(Self.readAll(fd, seconds: 3))
                close(fd)
            }
            report.elapsed = ContinuousClock.now - started
            return report
        }
        #expect(report.probes.count == 4)
        for (answer, took) in report.probes {
            #expect(answer.hasPrefix("HTTP/1.1 200"), "heartbeat answered \(answer)")
            #expect(took < .seconds(1), "heartbeat took \(took) while \(loris) connections trickled")
        }
        #expect(report.leftovers.filter { !$0.isEmpty } == [], "a trickling connection got an answer")
        #expect(report.elapsed < .seconds(4), "the trickling connections were cut after \(report.elapsed)")
        let metrics = running.registry.render()
        let cut = metrics.split(separator: "\n").filter { $0.hasPrefix("eventgrpc_admin_connections_cut_total") }
        let total = cut.compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }.reduce(0, +)
        #expect(total >= loris, "\(cut)")
        running.stop()
    }

    @Test func aWholeRequestWithABodyIsAnsweredAndAnOversizedOneIs431() async throws {
        let running = try Running(limits: AdminServerLimits())
        let port = running.port
        let answers = try await Self.offPool {
            let fd = Self.connect(port)
            Self.send(fd, "PUT /heartbeat/?beat=false HTTP/1.1\r\nContent-Length: 4\r\n\r\nab")
            usleep(100_000)
            Self.send(fd, "cd")
            let put = Self.readAll(fd, seconds: 3)
            close(fd)
            let big = Self.connect(port)
            Self.send(big, "GET /livez HTTP/1.1\r\nX: " + String(repeating: "a", count: 20_000) + "\r\n\r\n")
            let refused = Self.readAll(big, seconds: 3)
            close(big)
            return [put, refused]
        }
        #expect(answers[0].hasPrefix("HTTP/1.1 200 OK"), "\(answers[0])")
        #expect(answers[0].hasSuffix("NOT_SERVING\n"))
        #expect(answers[1].hasPrefix("HTTP/1.1 431"), "\(answers[1])")
        running.stop()
    }
}
