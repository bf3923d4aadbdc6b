import Foundation
import Synchronization

/// A small HTTP/1.1 server for the admin plane: one request per connection, answered and closed.
///
/// One thread serves every connection with `poll` over non-blocking sockets, so a slow client never holds up
/// another: each connection gets `limits.requestTimeout` from accept to the end of its answer (however slowly it
/// trickles bytes), at most `limits.maxConnections` are open (a new one closes the oldest), and a failed accept
/// (out of descriptors, say) is counted, logged at most once a second and retried after a short back-off, never
/// fatal. Binds 127.0.0.1 by default; `AdminSettings` refuses a wider address without a token.
public final class AdminServer: Service {
    public let name = "admin-server"
    private let host: String
    private let port: Int
    let router: AdminRouter
    let limits: AdminServerLimits
    let logger: Logger
    let metrics: AdminServerMetrics
    let acceptErrorLog = LogRateLimiter(linesPerSecond: 1)
    private let stopping = Atomic<Bool>(false)
    private let listener = Mutex<ListeningSocketBox?>(nil)

    public init(
        host: String,
        port: Int,
        router: AdminRouter,
        limits: AdminServerLimits = AdminServerLimits(),
        logger: Logger
    ) {
        self.host = host
        self.port = port
        self.router = router
        self.limits = limits
        self.logger = logger
        self.metrics = AdminServerMetrics(registry: router.metrics)
    }

    /// Binds the port (called by `run()` when not called before); returns the bound port.
    @discardableResult
    public func bind() throws -> Int {
        try listener.withLock { box in
            if let box { return box.socket.port }
            let socket = try ListeningSocket(host: host, port: port)
            let bound = socket.port
            _ = fcntl(socket.descriptor, F_SETFL, fcntl(socket.descriptor, F_GETFL) | O_NONBLOCK)
            box = ListeningSocketBox(socket)
            return bound
        }
    }

    public func run() async throws {
        try bind()
        guard let box = listener.withLock({ $0 }) else { return }
        logger.info("admin listening", ["admin.host": "\(host)", "admin.port": .int(box.socket.port)])
        try await runOnDedicatedThread(named: "admin") { self.serve(box) }
    }

    /// Serves on the calling thread until `shutdown()`, then closes every connection.
    func serve(_ box: ListeningSocketBox) {
        var loop = AdminLoop(server: self, listener: box.socket.descriptor)
        while !stopping.load(ordering: .acquiring) {
            loop.turn()
        }
        loop.closeAll()
    }

    /// Binds if needed and serves on a thread of its own, without the cooperative pool (for tests whose pool may be
    /// busy); `shutdown()` ends it.
    func startOnThread() throws {
        try bind()
        guard let box = listener.withLock({ $0 }) else { return }
        Thread { self.serve(box) }.start()
    }

    public func shutdown() {
        stopping.store(true, ordering: .releasing)
    }

    /// The whole answer to `head`: status line, headers and body.
    func answer(_ head: HTTPRequestHead) -> [UInt8] {
        let response = router.respond(
            method: head.method,
            target: head.target,
            authorization: head.header("authorization")
        )
        return Self.serialize(response)
    }

    static func serialize(_ response: AdminRouter.Response) -> [UInt8] {
        let body = Array(response.body.utf8)
        let head =
            "HTTP/1.1 \(response.status) \(reason(response.status))\r\nContent-Type: \(response.contentType)\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 410: "Gone"
        case 431: "Request Header Fields Too Large"
        default: "Status"
        }
    }
}
