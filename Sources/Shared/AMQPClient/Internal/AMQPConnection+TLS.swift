import CRabbitMQ
import EventCore

extension AMQPConnection {
    /// A TCP socket, or with `configuration.tls` a TLS socket that verifies the broker's certificate chain against
    /// the CA file (the system's bundle when none is given) and, unless turned off, the host name; TLS 1.2 or later.
    func makeSocket(endpoint: String) throws(AMQPError) -> OpaquePointer {
        guard let tls = configuration.tls else {
            guard let socket = amqp_tcp_socket_new(state) else {
                throw AMQPError(code: .connectionFailed, message: "cannot create a TCP socket for \(endpoint)")
            }
            return socket
        }
        guard let socket = amqp_ssl_socket_new(state) else {
            throw AMQPError(code: .tlsFailed, message: "cannot set up TLS for \(endpoint) (OpenSSL failed to start)")
        }
        guard let caFile = tls.effectiveCAFile else {
            throw AMQPError(
                code: .tlsFailed,
                message: "no CA certificates to verify RabbitMQ at \(endpoint) with: set RABBIT_CA_FILE to the PEM "
                    + "file of the CA that signed the broker's certificate (no system CA bundle was found)"
            )
        }
        guard amqp_ssl_socket_set_cacert(socket, caFile) == AMQP_STATUS_OK.rawValue else {
            throw AMQPError(
                code: .tlsFailed,
                message: "cannot load CA certificates from \(caFile): give RABBIT_CA_FILE a PEM file of certificates "
                    + "(-----BEGIN CERTIFICATE-----)"
            )
        }
        if let certificate = tls.certificateFile, let key = tls.keyFile,
            amqp_ssl_socket_set_key(socket, certificate, key) != AMQP_STATUS_OK.rawValue
        {
            throw AMQPError(
                code: .tlsFailed,
                message: "cannot load the client certificate \(certificate) with key \(key): give RABBIT_CERT_FILE "
                    + "and RABBIT_KEY_FILE as PEM files of one certificate and its unencrypted private key"
            )
        }
        amqp_ssl_socket_set_verify_peer(socket, 1)
        amqp_ssl_socket_set_verify_hostname(socket, tls.verifyHostname ? 1 : 0)
        guard amqp_ssl_socket_set_ssl_versions(socket, AMQP_TLSv1_2, AMQP_TLSvLATEST) == AMQP_STATUS_OK.rawValue else {
            throw AMQPError(code: .tlsFailed, message: "the OpenSSL in use cannot do TLS 1.2 or later")
        }
        return socket
    }

    /// The error for a failed socket open: TLS verdicts say what to fix; anything else is an unreachable broker.
    func openFailure(status: Int32, endpoint: String) -> AMQPError {
        let caFile = configuration.tls?.effectiveCAFile ?? "the system's CA bundle"
        switch status {
        case AMQP_STATUS_SSL_PEER_VERIFY_FAILED.rawValue:
            return AMQPError(
                code: .tlsFailed,
                message: "RabbitMQ's certificate at \(endpoint) was refused: it is not signed by a CA in \(caFile), "
                    + "or it has expired or is not valid yet. Set RABBIT_CA_FILE to the CA that signed the broker's "
                    + "certificate, or renew the certificate (`openssl s_client -connect \(endpoint) -CAfile "
                    + "\(caFile)` shows which)"
            )
        case AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED.rawValue:
            return AMQPError(
                code: .tlsFailed,
                message: "RabbitMQ's certificate at \(endpoint) does not name \(configuration.host): set RABBIT_HOST "
                    + "to a name the certificate holds, or (only on a trusted network) RABBIT_TLS_VERIFY_HOSTNAME=0"
            )
        case AMQP_STATUS_SSL_CONNECTION_FAILED.rawValue, AMQP_STATUS_SSL_ERROR.rawValue:
            return AMQPError(
                code: .tlsFailed,
                message: "the TLS handshake with \(endpoint) failed (\(Self.errorText(status))): check that "
                    + "RABBIT_PORT is the broker's TLS port (usually 5671; a plaintext AMQP port answers a TLS "
                    + "handshake with garbage) and, if the broker requires a client certificate, that "
                    + "RABBIT_CERT_FILE holds one it trusts"
            )
        default:
            return AMQPError(
                code: .connectionFailed,
                message: "cannot connect to RabbitMQ at \(endpoint) (\(Self.errorText(status))); check that the "
                    + "broker is running and the host and port are right"
            )
        }
    }

    /// For a plaintext connection whose handshake failed: the hint that the port may be a TLS listener.
    var plaintextHint: String {
        configuration.tls == nil ? "; if the port is the broker's TLS port, set RABBIT_TLS=1" : ""
    }
}
