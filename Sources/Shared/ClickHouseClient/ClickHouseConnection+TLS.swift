import EventCore

extension ClickHouseConnection {
    /// The error when no replica completed the TLS handshake, with what to fix for the failure libcurl reported
    /// (its CURLcode): a refused certificate, a file that cannot be loaded, or a port that does not speak TLS.
    static func tlsRefused(
        _ failure: CurlTransferFailure,
        endpoint: ClickHouseConfiguration.Endpoint,
        tried: [String]
    ) -> ClickHouseError {
        let address = "\(endpoint.host):\(endpoint.port)"
        let advice: String
        switch failure.curlCode {
        case 60:  // CURLE_PEER_FAILED_VERIFICATION
            advice =
                "ClickHouse's certificate at \(address) was refused (\(failure.detail)): set CLICKHOUSE_CA_FILE to "
                + "the CA that signed it, renew it if it has expired, or connect by a name it holds "
                + "(CLICKHOUSE_TLS_VERIFY_HOSTNAME=0 only on a trusted network)."
        case 77:  // CURLE_SSL_CACERT_BADFILE
            advice =
                "The CA file could not be loaded (\(failure.detail)): give CLICKHOUSE_CA_FILE a PEM file of "
                + "certificates."
        case 58:  // CURLE_SSL_CERTPROBLEM
            advice =
                "The client certificate could not be loaded (\(failure.detail)): give CLICKHOUSE_CERT_FILE and "
                + "CLICKHOUSE_KEY_FILE as PEM files of one certificate and its unencrypted key."
        default:
            advice =
                "The TLS handshake with ClickHouse at \(address) failed (\(failure.detail)): check that "
                + "CLICKHOUSE_PORT is ClickHouse's HTTPS port (https_port, usually 8443; its plain HTTP port does not "
                + "answer a TLS handshake), or unset CLICKHOUSE_SECURE for plain HTTP."
        }
        return ClickHouseError(
            code: .tlsFailed,
            message: tried.count > 1 ? "\(advice) Tried \(tried.joined(separator: ", "))." : advice,
            cause: failure
        )
    }
}
