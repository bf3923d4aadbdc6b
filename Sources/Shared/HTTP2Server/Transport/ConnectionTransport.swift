/// The byte stream under one HTTP/2 session: the socket itself (h2c, `PlainTransport`) or TLS records over it
/// (`TLSTransport`). The connection's thread is the only caller; it polls `descriptor` for readability.
///
/// Kept this small so that the read and write path can move to event loops without touching TLS again.
protocol ConnectionTransport: AnyObject {
    /// The socket to poll for readability.
    var descriptor: Int32 { get }
    /// Whether bytes already taken from the socket wait to be received (decrypted TLS records): `poll` does not
    /// see them, so the caller must not wait for the socket before calling `receive` again.
    var hasPendingInput: Bool { get }
    /// Reads what is available without waiting for more: the byte count, 0 at the end of the stream, nil when
    /// nothing can be read now.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(HTTP2Error) -> Int?
    /// Writes every byte, failing when the client reads nothing for the send timeout.
    func send(_ bytes: UnsafeRawBufferPointer) throws(HTTP2Error)
    /// Ends the stream politely where the protocol has a way (TLS close_notify); the socket stays open.
    func finish()
}
