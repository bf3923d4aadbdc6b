import EventCore
import Foundation

/// HTTP/2 cleartext: bytes straight to and from a non-blocking socket.
final class PlainTransport: ConnectionTransport {
    let descriptor: Int32
    private(set) var blockedOnWrite = false

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    var hasPendingInput: Bool { false }

    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(HTTP2Error) -> Int? {
        let count = recv(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
        if count >= 0 { return count }
        if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { return nil }
        throw HTTP2Error(.sessionFailed, "recv() failed: \(SystemErrno.current)")
    }

    func send(_ bytes: UnsafeRawBufferPointer) throws(HTTP2Error) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var offset = 0
        blockedOnWrite = false
        while offset < bytes.count {
            let written = Foundation.send(
                descriptor,
                base + offset,
                bytes.count - offset,
                Int32(MSG_NOSIGNAL | MSG_DONTWAIT)
            )
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    blockedOnWrite = true
                    return offset
                }
                throw HTTP2Error(.sessionFailed, "send() failed: \(SystemErrno.current)")
            }
            offset += written
        }
        return offset
    }

    func finish() {}
}
