import Foundation
import Testing

@testable import HTTP2Server

/// Drives a non-blocking `TLSTransport` the way an event loop does, but waiting with `poll` on one socket: the
/// handshake step by step, and reads until bytes come.
enum BlockingTLS {
    /// Runs the server side of the handshake on `descriptor` (made non-blocking) within `timeout`.
    static func accept(descriptor: Int32, context: TLSContext, timeout: Duration) throws -> TLSTransport {
        let deadline = ContinuousClock.now + timeout
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        while try !TLSTransport.refusePlaintext(descriptor) {
            guard wait(descriptor, events: Int16(POLLIN), until: deadline) else {
                throw TLSHandshakeFailure(kind: .timeout, detail: "the client sent nothing")
            }
        }
        let transport = try TLSTransport.begin(descriptor: descriptor, context: context)
        while let wantsWrite = try transport.advanceHandshake() {
            guard wait(descriptor, events: Int16(wantsWrite ? POLLOUT : POLLIN), until: deadline) else {
                throw TLSHandshakeFailure(kind: .timeout, detail: "no complete handshake")
            }
        }
        return transport
    }

    /// True when the socket became ready before `deadline`.
    static func wait(_ descriptor: Int32, events: Int16, until deadline: ContinuousClock.Instant) -> Bool {
        while ContinuousClock.now < deadline {
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            if poll(&entry, 1, 50) > 0 { return true }
        }
        return false
    }
}
