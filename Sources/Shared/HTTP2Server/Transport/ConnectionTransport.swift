/// The byte stream under one HTTP/2 session: the socket itself (h2c, `PlainTransport`) or TLS records over it
/// (`TLSTransport`). The socket is non-blocking and the connection's event loop is the only caller: nothing here
/// ever waits.
protocol ConnectionTransport: AnyObject {
    /// Whether bytes already taken from the socket wait to be received (decrypted TLS records): epoll does not
    /// see them, so the caller must receive again before it waits for the socket.
    var hasPendingInput: Bool { get }
    /// Whether the last receive or send stopped because the socket had no room (TLS may need to write while
    /// reading): the loop then waits for the socket to become writable.
    var blockedOnWrite: Bool { get }
    /// Reads what is available without waiting for more: the byte count, 0 at the end of the stream, nil when
    /// nothing can be read now.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(HTTP2Error) -> Int?
    /// Writes what the socket takes now: the number of bytes written from the front of `bytes` (0 when it has no
    /// room). After 0, the next call must offer the same bytes first (TLS retries the same record).
    func send(_ bytes: UnsafeRawBufferPointer) throws(HTTP2Error) -> Int
    /// Ends the stream politely where the protocol has a way (TLS close_notify); the socket stays open.
    func finish()
}
