import Glibc

/// One admin client: its request bytes until they make a whole request, then its answer until it is written.
/// Touched only by the admin loop's thread.
struct AdminConnection {
    enum Phase {
        case reading
        case writing
    }

    let descriptor: Int32
    /// Accept time plus the request timeout: the connection is closed then if it is still open.
    let deadline: ContinuousClock.Instant
    var phase = Phase.reading
    var received: [UInt8] = []
    var outgoing: [UInt8] = []
    var written = 0

    init(descriptor: Int32, deadline: ContinuousClock.Instant) {
        self.descriptor = descriptor
        self.deadline = deadline
    }

    /// What `read()` found.
    enum Reading {
        /// More bytes are needed.
        case incomplete
        /// A whole request: its head, and as many body bytes as `Content-Length` announced.
        case complete(HTTPRequestHead)
        /// The bytes are not an HTTP/1.1 request, or a larger one than `limit`: answer with this status.
        case refused(status: Int, body: String)
        /// The client closed its end or the socket failed.
        case closed
    }

    /// Reads what the socket has (it is non-blocking) and says whether the request is whole.
    mutating func read(limit: Int) -> Reading {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { return .closed }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                return .closed
            }
            received.append(contentsOf: buffer[0..<count])
            if received.count > limit { return .refused(status: 431, body: "request larger than \(limit) bytes\n") }
        }
        guard let end = received.firstRange(of: [13, 10, 13, 10]) else { return .incomplete }
        guard let head = HTTPRequestHead(parsing: Array(received[..<end.lowerBound])) else {
            return .refused(status: 400, body: "malformed HTTP request\n")
        }
        guard let length = head.contentLength else {
            return .refused(status: 400, body: "Content-Length is not a number\n")
        }
        if end.upperBound + length > limit {
            return .refused(status: 431, body: "request larger than \(limit) bytes\n")
        }
        return received.count - end.upperBound >= length ? .complete(head) : .incomplete
    }

    /// Switches to writing `bytes`.
    mutating func answer(_ bytes: [UInt8]) {
        phase = .writing
        received = []
        outgoing = bytes
        written = 0
    }

    /// Writes what the socket takes; true once everything went out or the socket failed (close it then).
    mutating func write() -> Bool {
        while written < outgoing.count {
            let count = outgoing[written...].withUnsafeBytes {
                send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if count < 0 {
                if errno == EINTR { continue }
                return !(errno == EAGAIN || errno == EWOULDBLOCK)
            }
            written += count
        }
        return true
    }
}
