import EventCore
import Foundation

/// HTTP/2 cleartext: bytes straight to and from a blocking socket whose SO_SNDTIMEO bounds a send.
final class PlainTransport: ConnectionTransport {
    let descriptor: Int32

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

    func send(_ bytes: UnsafeRawBufferPointer) throws(HTTP2Error) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.send(descriptor, base + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    throw HTTP2Error(.sessionFailed, "the client stopped reading for the send timeout; closing")
                }
                throw HTTP2Error(.sessionFailed, "send() failed: \(SystemErrno.current)")
            }
            offset += written
        }
    }

    func finish() {}
}
