/// The gRPC port's TLS settings. Unset (`HTTP2Server` without a `TLSAcceptor`) the port speaks h2c.
public struct TLSConfiguration: Sendable, Equatable {
    /// `TLS_CERT_FILE`: the server certificate in PEM, followed by its intermediate certificates when it has any.
    public var certificateFile: String
    /// `TLS_KEY_FILE`: the certificate's private key in PEM, not encrypted (no passphrase prompt at start).
    public var keyFile: String
    /// `TLS_CLIENT_CA_FILE`: when set, every client must present a certificate signed by a CA in this PEM file;
    /// default unset (no client certificates asked for).
    public var clientCAFile: String?
    /// `TLS_HANDSHAKE_TIMEOUT`: a client that has not finished its handshake by then is disconnected, so a
    /// connection that never speaks cannot hold its thread; default 10 s.
    public var handshakeTimeout: Duration = .seconds(10)

    public init(certificateFile: String, keyFile: String, clientCAFile: String? = nil) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.clientCAFile = clientCAFile
    }

    /// The files a reload reads, in the order they are checked.
    var files: [String] {
        [certificateFile, keyFile] + (clientCAFile.map { [$0] } ?? [])
    }
}
