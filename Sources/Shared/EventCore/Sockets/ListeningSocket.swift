import Foundation
import Glibc

/// A TCP listening socket (IPv4) bound with SO_REUSEADDR.
public struct ListeningSocket: ~Copyable, Sendable {
    public let descriptor: Int32
    /// The port actually bound (useful when 0 asked the kernel for one).
    public let port: Int

    public init(host: String, port: Int) throws(SocketError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError(.bindFailed, "socket() failed: \(SystemErrno.current)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            throw SocketError(.bindFailed, "\(host) is not an IPv4 address; set the listen host to one")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 1024) == 0 else {
            let reason = SystemErrno.current
            close(fd)
            throw SocketError(.bindFailed, "cannot listen on \(host):\(port) (\(reason)); is the port in use?")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.descriptor = fd
        self.port = Int(UInt16(bigEndian: actual.sin_port))
    }

    /// Waits up to `timeoutMilliseconds` for a connection; nil when none came.
    public func accept(timeoutMilliseconds: Int32) throws(SocketError) -> Int32? {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, timeoutMilliseconds)
        if ready < 0 && errno != EINTR { throw SocketError(.acceptFailed, "poll() failed: \(SystemErrno.current)") }
        guard ready > 0 else { return nil }
        let client = Glibc.accept(descriptor, nil, nil)
        guard client >= 0 else {
            if errno == EAGAIN || errno == EINTR || errno == ECONNABORTED { return nil }
            throw SocketError(.acceptFailed, "accept() failed: \(SystemErrno.current)")
        }
        var yes: Int32 = 1
        setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
        return client
    }

    deinit {
        close(descriptor)
    }
}
