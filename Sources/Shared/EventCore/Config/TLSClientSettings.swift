#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a client checks a server over TLS (AMQPS to RabbitMQ, HTTPS to ClickHouse), as read from the environment.
/// The server's certificate chain is always verified; only the host-name check can be turned off.
public struct TLSClientSettings: Sendable, Equatable {
    /// PEM file of the CA certificates that may sign the server's certificate; nil means the system's CA bundle.
    public var caFile: String?
    /// PEM client certificate (a chain allowed) offered to a server that asks for one; nil offers none.
    public var certificateFile: String?
    /// PEM private key of `certificateFile` (unencrypted). Set exactly when `certificateFile` is.
    public var keyFile: String?
    /// Whether the certificate must name the host connected to. Default true; false only on a trusted network.
    public var verifyHostname: Bool

    public init(
        caFile: String? = nil,
        certificateFile: String? = nil,
        keyFile: String? = nil,
        verifyHostname: Bool = true
    ) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.verifyHostname = verifyHostname
    }

    /// The system's CA bundle (Debian and Ubuntu, then Red Hat and Alpine paths): the trust store used when no CA
    /// file is given. Nil when none of them exists.
    public static var systemCABundle: String? {
        ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"]
            .first { access($0, R_OK) == 0 }
    }

    /// The CA file to trust: `caFile`, else the system bundle.
    public var effectiveCAFile: String? { caFile ?? Self.systemCABundle }
}

extension TLSClientSettings {
    /// Reads `<prefix>_CA_FILE`, `<prefix>_CERT_FILE`, `<prefix>_KEY_FILE` and `<prefix>_TLS_VERIFY_HOSTNAME`.
    /// Returns nil when `enabled` is false, and then refuses any of those set (a CA file that is silently ignored
    /// would leave the operator believing the hop is encrypted). A file must be readable; a certificate needs its
    /// key and a key its certificate.
    ///
    /// - Parameter switchName: the variable that turns TLS on (`RABBIT_TLS`, `CLICKHOUSE_SECURE`), for messages.
    static func read(
        _ env: Environment,
        prefix: String,
        enabled: Bool,
        switchName: String
    ) throws -> TLSClientSettings? {
        let caName = "\(prefix)_CA_FILE"
        let certificateName = "\(prefix)_CERT_FILE"
        let keyName = "\(prefix)_KEY_FILE"
        let hostnameName = "\(prefix)_TLS_VERIFY_HOSTNAME"
        var settings = TLSClientSettings()
        settings.caFile = try readableFile(env, caName)
        settings.certificateFile = try readableFile(env, certificateName)
        settings.keyFile = try readableFile(env, keyName)
        settings.verifyHostname = try env.bool(hostnameName, default: true)
        guard enabled else {
            for name in [caName, certificateName, keyName, hostnameName] where env.value(name) != nil {
                try env.reject(
                    ConfigurationError(
                        variable: name,
                        value: env.rawValue(name),
                        expected: "unset, or \(switchName)=1 (it applies only to TLS connections)"
                    )
                )
            }
            return nil
        }
        if (env.value(certificateName) == nil) != (env.value(keyName) == nil) {
            let missing = env.value(certificateName) == nil ? certificateName : keyName
            try env.reject(
                ConfigurationError(
                    variable: missing,
                    value: "",
                    expected: "the file of the client \(missing == keyName ? "key" : "certificate") too: "
                        + "\(certificateName) and \(keyName) go together"
                )
            )
        }
        return settings
    }

    /// A path that names a readable file, or nil when unset.
    private static func readableFile(_ env: Environment, _ name: String) throws -> String? {
        guard let path = env.optionalString(name) else { return nil }
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, access(path, R_OK) == 0 else {
            try env.reject(ConfigurationError(variable: name, value: path, expected: "a readable PEM file"))
            return nil
        }
        return path
    }
}
