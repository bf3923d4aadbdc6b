import COpenSSL
import EventCore
import Foundation

/// TLS records over a non-blocking socket, through one OpenSSL session owned by the connection's event loop.
///
/// Nothing waits: the handshake advances one step per readiness event (`advanceHandshake`), reads and writes
/// return what the socket took, and `hasPendingInput` covers records OpenSSL already decrypted.
final class TLSTransport: ConnectionTransport {
    let descriptor: Int32
    private let session: OpaquePointer
    private(set) var blockedOnWrite = false

    private init(descriptor: Int32, session: OpaquePointer) {
        self.descriptor = descriptor
        self.session = session
    }

    deinit {
        SSL_free(session)
    }

    /// A server session on `descriptor` (already non-blocking) with `context`, before its handshake.
    static func begin(descriptor: Int32, context: TLSContext) throws(TLSHandshakeFailure) -> TLSTransport {
        guard let session = SSL_new(context.context) else {
            throw TLSHandshakeFailure(kind: .failed, detail: "cannot create a session: \(openSSLErrorText())")
        }
        _ = SSL_set_fd(session, descriptor)
        return TLSTransport(descriptor: descriptor, session: session)
    }

    /// One step of the server side of the handshake: nil when it completed, true when it waits for room to write,
    /// false when it waits for the client's bytes.
    func advanceHandshake() throws(TLSHandshakeFailure) -> Bool? {
        ERR_clear_error()
        let result = SSL_accept(session)
        if result == 1 { return nil }
        switch SSL_get_error(session, result) {
        case SSL_ERROR_WANT_READ: return false
        case SSL_ERROR_WANT_WRITE: return true
        case SSL_ERROR_ZERO_RETURN, SSL_ERROR_SYSCALL:
            throw TLSHandshakeFailure(kind: .closed, detail: "the client closed the connection (\(errno))")
        default:
            throw Self.classify(ERR_peek_last_error())
        }
    }

    /// Looks at the first bytes (without consuming them): anything but a TLS handshake record is plaintext, which
    /// is answered (`PlaintextRefusal`) and refused before OpenSSL sees it. False while nothing arrived yet.
    static func refusePlaintext(_ descriptor: Int32) throws(TLSHandshakeFailure) -> Bool {
        var prefix = [UInt8](repeating: 0, count: 16)
        let count = recv(descriptor, &prefix, prefix.count, Int32(MSG_PEEK | MSG_DONTWAIT))
        if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return false }
        if count == 0 { throw TLSHandshakeFailure(kind: .closed, detail: "the client closed before its hello") }
        if count < 0 { throw TLSHandshakeFailure(kind: .closed, detail: "recv() failed: \(SystemErrno.current)") }
        guard prefix[0] != PlaintextRefusal.tlsHandshakeRecord else { return true }
        let answer = PlaintextRefusal.answer(toFirstBytes: Array(prefix.prefix(count)))
        // Read what the client sent first: closing with unread bytes would reset the connection and could
        // discard the answer before the client reads it.
        var sink = [UInt8](repeating: 0, count: 16 * 1024)
        _ = recv(descriptor, &sink, sink.count, Int32(MSG_DONTWAIT))
        if !answer.isEmpty { _ = Foundation.send(descriptor, answer, answer.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        let text = String(decoding: prefix.prefix(min(count, 8)), as: UTF8.self).filter { $0.isASCII && !$0.isNewline }
        throw TLSHandshakeFailure(kind: .plaintext, detail: "the client spoke plaintext (first bytes \"\(text)\")")
    }

    private static func classify(_ code: UInt) -> TLSHandshakeFailure {
        let reason = ERR_GET_REASON(code)
        let text = openSSLErrorText()
        switch reason {
        case SSL_R_NO_APPLICATION_PROTOCOL:
            return TLSHandshakeFailure(kind: .noH2, detail: "the client did not offer ALPN h2 (\(text))")
        case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE, SSL_R_CERTIFICATE_VERIFY_FAILED:
            return TLSHandshakeFailure(kind: .clientCertificate, detail: "client certificate refused (\(text))")
        case SSL_R_UNEXPECTED_EOF_WHILE_READING:
            return TLSHandshakeFailure(kind: .closed, detail: "the client closed the connection (\(text))")
        default:
            return TLSHandshakeFailure(kind: .failed, detail: text)
        }
    }

    var hasPendingInput: Bool { SSL_pending(session) > 0 }

    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(HTTP2Error) -> Int? {
        ERR_clear_error()
        var count = 0
        let result = SSL_read_ex(session, buffer.baseAddress, buffer.count, &count)
        blockedOnWrite = false
        if result == 1 { return count }
        switch SSL_get_error(session, result) {
        case SSL_ERROR_WANT_READ: return nil
        case SSL_ERROR_WANT_WRITE:
            // Reading needs a record written first (a TLS 1.3 KeyUpdate answer): wait for room.
            blockedOnWrite = true
            return nil
        case SSL_ERROR_ZERO_RETURN: return 0
        case SSL_ERROR_SYSCALL where errno == 0: return 0
        case SSL_ERROR_SYSCALL:
            throw HTTP2Error(.sessionFailed, "TLS read failed: \(SystemErrno.current)")
        default:
            throw HTTP2Error(.sessionFailed, "TLS read failed: \(openSSLErrorText())")
        }
    }

    /// SSL_write_ex writes whole records or nothing; after WANT_WRITE the same bytes come again (the context sets
    /// SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER, so they may sit at another address).
    func send(_ bytes: UnsafeRawBufferPointer) throws(HTTP2Error) -> Int {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
        ERR_clear_error()
        var written = 0
        let result = SSL_write_ex(session, base, bytes.count, &written)
        blockedOnWrite = false
        if result == 1 { return written }
        switch SSL_get_error(session, result) {
        case SSL_ERROR_WANT_WRITE, SSL_ERROR_WANT_READ:
            blockedOnWrite = true
            return 0
        case SSL_ERROR_SYSCALL:
            throw HTTP2Error(.sessionFailed, "TLS write failed: \(SystemErrno.current)")
        default:
            throw HTTP2Error(.sessionFailed, "TLS write failed: \(openSSLErrorText())")
        }
    }

    func finish() {
        ERR_clear_error()
        _ = SSL_shutdown(session)  // one close_notify, without waiting for the client's
        ERR_clear_error()
    }
}
