import Foundation
import Synchronization

/// A small HTTP/1.1 server for the admin plane: one request per connection, answered and closed.
///
/// Requests are read with a 2-second timeout and at most 8 KiB of head, so a slow or hostile client cannot hold
/// the accept thread. Binds 127.0.0.1 by default; `AdminSettings` refuses a wider address without a token.
public final class AdminServer: Service {
    public let name = "admin-server"
    private let host: String
    private let port: Int
    private let router: AdminRouter
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)
    private let listener = Mutex<ListeningSocketBox?>(nil)

    public init(host: String, port: Int, router: AdminRouter, logger: Logger) {
        self.host = host
        self.port = port
        self.router = router
        self.logger = logger
    }

    /// Binds the port (called by `run()` when not called before); returns the bound port.
    @discardableResult
    public func bind() throws -> Int {
        try listener.withLock { box in
            if let box { return box.socket.port }
            let socket = try ListeningSocket(host: host, port: port)
            let bound = socket.port
            box = ListeningSocketBox(socket)
            return bound
        }
    }

    public func run() async throws {
        try bind()
        guard let box = listener.withLock({ $0 }) else { return }
        logger.info("admin listening", ["admin.host": "\(host)", "admin.port": .int(box.socket.port)])
        try await runOnDedicatedThread(named: "admin") {
            while !self.stopping.load(ordering: .acquiring) {
                guard let client = try box.socket.accept(timeoutMilliseconds: 200) else { continue }
                self.serve(client)
            }
        }
    }

    public func shutdown() {
        stopping.store(true, ordering: .releasing)
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let head = readHead(client) else { return }
        let response: AdminRouter.Response
        if let request = HTTPRequestHead(parsing: head) {
            response = router.respond(
                method: request.method,
                target: request.target,
                authorization: request.header("authorization")
            )
        } else {
            response = AdminRouter.Response(status: 400, body: "malformed HTTP request\n")
        }
        let body = Array(response.body.utf8)
        let responseHead =
            "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\nContent-Type: \(response.contentType)\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(responseHead.utf8) + body
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { return }
            offset += written
        }
    }

    private func readHead(_ client: Int32) -> [UInt8]? {
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        while head.count < 8192 {
            let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return head.isEmpty ? nil : head }
            head.append(contentsOf: buffer[0..<count])
            if head.firstRange(of: [13, 10, 13, 10]) != nil { return head }
        }
        return head
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 410: "Gone"
        default: "Status"
        }
    }
}

/// The request line and headers of an HTTP/1.1 request.
struct HTTPRequestHead {
    var method: String
    var target: String
    var headers: [(name: String, value: String)]

    init?(parsing bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else { return nil }
        method = String(requestLine[0])
        target = String(requestLine[1])
        headers = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }
}
