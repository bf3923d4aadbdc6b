import COpenSSL
import EventCore
import Foundation

/// TLS records over a non-blocking socket, through one OpenSSL session owned by the connection's thread.
///
/// Reads never wait (the connection polls the socket, and `hasPendingInput` covers records OpenSSL already
/// decrypted); a write waits for room at most `sendTimeout` without progress, like the plaintext send timeout.
final class TLSTransport: ConnectionTransport {
    let descriptor: Int32
    private let session: OpaquePointer
    private let sendTimeout: Duration

    private init(descriptor: Int32, session: OpaquePointer, sendTimeout: Duration) {
        self.descriptor = descriptor
        self.session = session
        self.sendTimeout = sendTimeout
    }

    deinit {
        SSL_free(session)
    }

    /// Runs the server side of the handshake on `descriptor` (made non-blocking) with `context`, within `timeout`.
    /// A client that speaks plaintext is answered (`PlaintextRefusal`) and refused before OpenSSL sees its bytes.
    static func accept(
        descriptor: Int32,
        context: TLSContext,
        timeout: Duration,
        sendTimeout: Duration
    ) throws(TLSHandshakeFailure) -> TLSTransport {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        try refusePlaintext(descriptor, deadline: deadline)
        guard let session = SSL_new(context.context) else {
            throw TLSHandshakeFailure(kind: .failed, detail: "cannot create a session: \(openSSLErrorText())")
        }
        let transport = TLSTransport(descriptor: descriptor, session: session, sendTimeout: sendTimeout)
        _ = SSL_set_fd(session, descriptor)
        while true {
            ERR_clear_error()
            let result = SSL_accept(session)
            if result == 1 { return transport }
            let error = SSL_get_error(session, result)
            let direction: SocketReadiness.Direction
            switch error {
            case SSL_ERROR_WANT_READ: direction = .readable
            case SSL_ERROR_WANT_WRITE: direction = .writable
            case SSL_ERROR_ZERO_RETURN, SSL_ERROR_SYSCALL:
                throw TLSHandshakeFailure(kind: .closed, detail: "the client closed the connection (\(errno))")
            default:
                throw classify(ERR_peek_last_error())
            }
            guard SocketReadiness.wait(descriptor, until: direction, deadline: deadline) else {
                throw TLSHandshakeFailure(kind: .timeout, detail: "no complete handshake within \(timeout)")
            }
        }
    }

    /// Looks at the first bytes (without consuming them): anything but a TLS handshake record is plaintext.
    private static func refusePlaintext(
        _ descriptor: Int32,
        deadline: ContinuousClock.Instant
    ) throws(TLSHandshakeFailure) {
        guard SocketReadiness.wait(descriptor, until: .readable, deadline: deadline) else {
            throw TLSHandshakeFailure(kind: .timeout, detail: "the client sent nothing")
        }
        var prefix = [UInt8](repeating: 0, count: 16)
        let count = recv(descriptor, &prefix, prefix.count, Int32(MSG_PEEK))
        if count == 0 { throw TLSHandshakeFailure(kind: .closed, detail: "the client closed before its hello") }
        if count < 0 { throw TLSHandshakeFailure(kind: .closed, detail: "recv() failed: \(SystemErrno.current)") }
        guard prefix[0] != PlaintextRefusal.tlsHandshakeRecord else { return }
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
        if result == 1 { return count }
        switch SSL_get_error(session, result) {
        case SSL_ERROR_WANT_READ: return nil
        case SSL_ERROR_WANT_WRITE:
            // Reading needs a record written first (a TLS 1.3 KeyUpdate answer) and the client is not reading: wait
            // for room as a send would, instead of spinning on a readable socket.
            let deadline = ContinuousClock.now.advanced(by: sendTimeout)
            guard SocketReadiness.wait(descriptor, until: .writable, deadline: deadline) else {
                throw HTTP2Error(.sessionFailed, "the client stopped reading for the send timeout; closing")
            }
            return nil
        case SSL_ERROR_ZERO_RETURN: return 0
        case SSL_ERROR_SYSCALL where errno == 0: return 0
        case SSL_ERROR_SYSCALL:
            throw HTTP2Error(.sessionFailed, "TLS read failed: \(SystemErrno.current)")
        default:
            throw HTTP2Error(.sessionFailed, "TLS read failed: \(openSSLErrorText())")
        }
    }

    func send(_ bytes: UnsafeRawBufferPointer) throws(HTTP2Error) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        var deadline = ContinuousClock.now.advanced(by: sendTimeout)
        while offset < bytes.count {
            ERR_clear_error()
            var written = 0
            let result = SSL_write_ex(session, base + offset, bytes.count - offset, &written)
            if result == 1 {
                offset += written
                deadline = ContinuousClock.now.advanced(by: sendTimeout)
                continue
            }
            let direction: SocketReadiness.Direction
            switch SSL_get_error(session, result) {
            case SSL_ERROR_WANT_WRITE: direction = .writable
            case SSL_ERROR_WANT_READ: direction = .readable
            case SSL_ERROR_SYSCALL:
                throw HTTP2Error(.sessionFailed, "TLS write failed: \(SystemErrno.current)")
            default:
                throw HTTP2Error(.sessionFailed, "TLS write failed: \(openSSLErrorText())")
            }
            guard SocketReadiness.wait(descriptor, until: direction, deadline: deadline) else {
                throw HTTP2Error(.sessionFailed, "the client stopped reading for the send timeout; closing")
            }
        }
    }

    func finish() {
        ERR_clear_error()
        _ = SSL_shutdown(session)  // one close_notify, without waiting for the client's
        ERR_clear_error()
    }
}
