/// Why a TLS handshake on the gRPC port did not complete; `kind` is the metric label.
struct TLSHandshakeFailure: Error, CustomStringConvertible {
    enum Kind: String, CaseIterable {
        /// The client spoke plaintext (h2c or HTTP/1) to the TLS port.
        case plaintext
        /// The handshake did not finish within `TLS_HANDSHAKE_TIMEOUT`.
        case timeout
        /// The client offered ALPN protocols without `h2`.
        case noH2 = "no_h2"
        /// Client certificates are required and the client sent none, or one the CAs do not sign.
        case clientCertificate = "client_certificate"
        /// The client closed the connection before the handshake finished (port probes, a client refusing our
        /// certificate).
        case closed
        /// Anything else OpenSSL refused (protocol version, ciphers, a malformed hello).
        case failed
    }

    var kind: Kind
    var detail: String

    var description: String { "TLS handshake failed (\(kind.rawValue)): \(detail)" }
}
