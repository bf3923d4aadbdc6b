/// A transfer that got no HTTP answer, and how far it got.
struct CurlTransferFailure: Error, CustomStringConvertible {
    /// libcurl's `CURLcode`, as a number.
    var curlCode: Int
    /// libcurl's error text for the transfer (it never holds credentials: those are headers, not the URL).
    var detail: String
    /// The request timed out (while connecting or while waiting for the answer).
    var timedOut: Bool
    /// A connection was established and the request started, so the server may have run the statement.
    /// When false, nothing reached the server and another replica can safely be tried.
    var reachedServer: Bool
    /// The TCP connection was made but the TLS handshake did not complete (HTTPS only): nothing reached the server.
    var tlsHandshakeFailed = false

    var description: String { "curl error \(curlCode): \(detail)" }
}
