public import HTTP2Server
import Synchronization

/// The response side of a server-streaming call: the handler sends messages; the router sends the status.
///
/// The response headers go out with the first message; a call that ends before any message is answered
/// trailers-only.
public final class GRPCServerStream: Sendable {
    private let writer: HTTP2ResponseWriter
    /// Whether the response headers went out; guarded so that a deadline and the handler cannot interleave.
    private let started = Mutex(false)

    init(writer: HTTP2ResponseWriter) {
        self.writer = writer
    }

    /// Sends one message; false when the call already ended (client gone, deadline passed).
    @discardableResult
    public func send(_ message: [UInt8]) -> Bool {
        started.withLock { started in
            if !started {
                guard writer.sendHead(status: 200, headers: [HTTPField("content-type", "application/grpc")]) else {
                    return false
                }
                started = true
            }
            return writer.sendData(GRPCFraming.frame(message))
        }
    }

    /// Waits until the client goes away or the server drains; nil when the waiting task is cancelled first.
    public func interruption() async -> HTTP2StreamInterruption? {
        await writer.interruption()
    }

    /// Ends the call with `status`: in trailers after messages, or trailers-only when none was sent.
    func finish(_ status: GRPCStatus) {
        started.withLock { started in
            if started {
                writer.finish(trailers: GRPCRouter.statusFields(status))
            } else {
                writer.send(GRPCRouter.trailersOnly(status))
            }
            started = true
        }
    }
}
