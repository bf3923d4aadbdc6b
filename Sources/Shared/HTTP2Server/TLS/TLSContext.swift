import COpenSSL
public import EventCore
import Foundation

/// One loaded set of certificate, key and client CAs: an OpenSSL server context, TLS 1.2 or later, ALPN `h2`.
///
/// Handshakes take the context current when they start (`TLSAcceptor`); a reload builds a new one and the old one
/// lives until its last connection ends (each OpenSSL session holds a reference to its context).
// @unchecked Sendable: the SSL_CTX is configured once in `load` and only read afterwards; OpenSSL documents
// creating sessions from one context on many threads as safe (SSL_new takes its own reference).
public final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer
    /// The leaf certificate's serial number in hexadecimal, as `openssl x509 -serial` prints it.
    public let serial: String
    /// When the leaf certificate expires (notAfter), in seconds since 1970.
    public let notAfter: Int
    /// Whether client certificates are verified (`TLS_CLIENT_CA_FILE` set).
    public let verifiesClients: Bool

    private init(context: OpaquePointer, serial: String, notAfter: Int, verifiesClients: Bool) {
        self.context = context
        self.serial = serial
        self.notAfter = notAfter
        self.verifiesClients = verifiesClients
    }

    deinit {
        SSL_CTX_free(context)
    }

    /// Whether the certificate's notAfter has passed (clients will refuse it).
    public var isExpired: Bool {
        notAfter < Int(Date().timeIntervalSince1970)
    }

    /// Reads the files of `configuration`; throws the first problem, naming the variable and what to do.
    public static func load(_ configuration: TLSConfiguration) throws(ConfigurationError) -> TLSContext {
        try requireReadable("TLS_CERT_FILE", configuration.certificateFile)
        try requireReadable("TLS_KEY_FILE", configuration.keyFile)
        if let clientCAFile = configuration.clientCAFile { try requireReadable("TLS_CLIENT_CA_FILE", clientCAFile) }
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw ConfigurationError(
                variable: "TLS_CERT_FILE",
                value: configuration.certificateFile,
                expected: "an OpenSSL context (cannot create one: \(openSSLErrorText()))"
            )
        }
        do {
            try configure(context, configuration)
            let (serial, notAfter) = try leafDetails(context, configuration)
            return TLSContext(
                context: context,
                serial: serial,
                notAfter: notAfter,
                verifiesClients: configuration.clientCAFile != nil
            )
        } catch {
            SSL_CTX_free(context)
            throw error
        }
    }

    private static func configure(
        _ context: OpaquePointer,
        _ configuration: TLSConfiguration
    ) throws(ConfigurationError) {
        _ = eventgrpc_ssl_ctx_set_min_proto_version(context, TLS1_2_VERSION)
        _ = SSL_CTX_set_options(context, eventgrpc_ssl_server_options())
        _ = eventgrpc_ssl_ctx_set_mode(context, Int(SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS))
        // An encrypted key would make OpenSSL prompt on the terminal: refuse it instead.
        SSL_CTX_set_default_passwd_cb(context, refusePassphrase)
        SSL_CTX_set_alpn_select_cb(context, selectH2, nil)
        let sessionContext = Array("eventgrpc".utf8)
        _ = SSL_CTX_set_session_id_context(context, sessionContext, UInt32(sessionContext.count))
        ERR_clear_error()
        guard SSL_CTX_use_certificate_chain_file(context, configuration.certificateFile) == 1 else {
            throw ConfigurationError(
                variable: "TLS_CERT_FILE",
                value: configuration.certificateFile,
                expected: "a PEM certificate, then its intermediates (\(openSSLErrorText()))"
            )
        }
        let keyLoaded = SSL_CTX_use_PrivateKey_file(context, configuration.keyFile, SSL_FILETYPE_PEM) == 1
        let mismatch = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH
        guard keyLoaded || mismatch else {
            throw ConfigurationError(
                variable: "TLS_KEY_FILE",
                value: configuration.keyFile,
                expected: "a PEM private key without a passphrase (\(openSSLErrorText()))"
            )
        }
        guard keyLoaded, SSL_CTX_check_private_key(context) == 1 else {
            throw ConfigurationError(
                variable: "TLS_KEY_FILE",
                value: configuration.keyFile,
                expected: "the private key of the certificate in TLS_CERT_FILE (\(openSSLErrorText())); "
                    + "give the key and certificate of one pair"
            )
        }
        guard let clientCAFile = configuration.clientCAFile else { return }
        guard SSL_CTX_load_verify_locations(context, clientCAFile, nil) == 1,
            let names = SSL_load_client_CA_file(clientCAFile)
        else {
            throw ConfigurationError(
                variable: "TLS_CLIENT_CA_FILE",
                value: clientCAFile,
                expected: "PEM CA certificates that sign the client certificates (\(openSSLErrorText()))"
            )
        }
        SSL_CTX_set_client_CA_list(context, names)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
    }

    /// The leaf certificate's serial number and notAfter.
    private static func leafDetails(
        _ context: OpaquePointer,
        _ configuration: TLSConfiguration
    ) throws(ConfigurationError) -> (String, Int) {
        guard let certificate = SSL_CTX_get0_certificate(context),
            let serialNumber = BN_new()
        else {
            throw ConfigurationError(
                variable: "TLS_CERT_FILE",
                value: configuration.certificateFile,
                expected: "a certificate OpenSSL can read (\(openSSLErrorText()))"
            )
        }
        defer { BN_free(serialNumber) }
        var serial = "?"
        if ASN1_INTEGER_to_BN(X509_get_serialNumber(certificate), serialNumber) != nil,
            let hex = BN_bn2hex(serialNumber)
        {
            serial = String(cString: hex)
            eventgrpc_openssl_free(hex)
        }
        var time = tm()
        guard ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &time) == 1 else {
            throw ConfigurationError(
                variable: "TLS_CERT_FILE",
                value: configuration.certificateFile,
                expected: "a certificate with a readable expiry date (notAfter)"
            )
        }
        return (serial, Int(timegm(&time)))
    }

    private static func requireReadable(_ variable: String, _ path: String) throws(ConfigurationError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ConfigurationError(
                variable: variable,
                value: path,
                expected: "a readable PEM file (\(SystemErrno.current)); check the path and its permissions"
            )
        }
        close(descriptor)
    }
}

/// The text of OpenSSL's most recent error on this thread (the queue is then cleared).
func openSSLErrorText() -> String {
    var texts: [String] = []
    while case let code = ERR_get_error(), code != 0 {
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        texts.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return texts.last ?? "no detail from OpenSSL"
}

/// The passphrase callback: none is given, so an encrypted key fails to load instead of prompting.
private func refusePassphrase(
    _ buffer: UnsafeMutablePointer<CChar>?,
    _ size: Int32,
    _ writing: Int32,
    _ argument: UnsafeMutableRawPointer?
) -> Int32 {
    0
}
