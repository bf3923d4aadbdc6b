import CCurl
import EventCore
import Glibc

/// libcurl's process-wide setup, run once (Swift globals initialize once, thread-safely) before any handle exists.
private let curlGlobalInitResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

/// One libcurl easy handle, kept between requests so that its connection cache keeps connections alive.
///
/// Not thread-safe: the owning `ClickHouseConnection` uses it from one thread at a time.
final class CurlEasyHandle {
    private let handle: UnsafeMutableRawPointer
    private let headers: UnsafeMutablePointer<curl_slist>
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// TCP connections opened so far; stays flat while requests reuse a kept-alive connection.
    private(set) var connectionsOpened = 0
    /// The answer being received; appended to by `receiveBody` during `curl_easy_perform`.
    fileprivate var responseBody: [UInt8] = []
    /// Whether the transfer in progress is HTTPS (a failure before the handshake completed is then a TLS one).
    private var secureTransfer = false
    /// What libcurl's sockets were when it closed them; outlives `curl_easy_cleanup`, which closes the cached ones.
    private let closedSockets = ClosedSockets()

    /// Filled in by `closeSocket` while libcurl runs on the owning thread.
    fileprivate final class ClosedSockets {
        /// The last socket closed had completed its TCP connection (it had a peer address). A connect timeout on
        /// such a socket is a peer that accepted TCP but never finished the TLS handshake: libcurl reports both
        /// with the same code and, depending on which of its timers noticed first, the same text.
        var lastWasConnected = false
    }

    /// Throws `invalidConfiguration` when libcurl cannot be set up.
    init(headerLines: [String]) throws(ClickHouseError) {
        guard curlGlobalInitResult == CURLE_OK, let handle = curl_easy_init() else {
            throw ClickHouseError(
                code: .invalidConfiguration,
                message: "libcurl could not be initialised (out of memory or a broken libcurl install)."
            )
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for line in headerLines {
            guard let extended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                curl_easy_cleanup(handle)
                throw ClickHouseError(code: .invalidConfiguration, message: "libcurl ran out of memory for headers.")
            }
            list = extended
        }
        guard let list else {
            curl_easy_cleanup(handle)
            preconditionFailure("CurlEasyHandle needs at least one header line")
        }
        self.handle = handle
        self.headers = list
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headers)
        errorBuffer.deallocate()
    }

    /// Runs one request and returns the HTTP status and body, whatever the status. With `tls`, the URL is `https`
    /// and the server's certificate is verified (TLS 1.2 or later).
    func perform(
        _ request: ClickHouseRequest,
        url: String,
        connectTimeout: Duration,
        tls: TLSClientSettings? = nil
    ) throws(CurlTransferFailure) -> (status: Int, body: [UInt8]) {
        // Reset keeps the connection cache: only options are cleared, so a stale option never leaks across requests.
        curl_easy_reset(handle)
        responseBody = []
        errorBuffer[0] = 0
        closedSockets.lastWasConnected = false
        var setup = [
            eventgrpc_curl_setopt_string(handle, CURLOPT_URL, url),
            eventgrpc_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1),
            eventgrpc_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer),
            eventgrpc_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers),
            eventgrpc_curl_setopt_write_function(handle, receiveBody),
            eventgrpc_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self).toOpaque()),
            eventgrpc_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(connectTimeout)),
            eventgrpc_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, milliseconds(request.timeout)),
            eventgrpc_curl_setopt_closesocket_function(handle, closeSocket),
            eventgrpc_curl_setopt_pointer(
                handle,
                CURLOPT_CLOSESOCKETDATA,
                Unmanaged.passUnretained(closedSockets).toOpaque()
            ),
        ]
        if request.method == .get {
            setup.append(eventgrpc_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        }
        secureTransfer = tls != nil
        if let tls {
            setup.append(contentsOf: tlsOptions(tls))
        }
        if let failed = setup.first(where: { $0 != CURLE_OK }) {
            throw failure(failed)
        }
        let result = request.method == .get ? curl_easy_perform(handle) : performPost(body: request.body)
        var opened = 0
        // A counter only: if libcurl cannot say, the transfer's own result still decides success.
        if eventgrpc_curl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &opened) == CURLE_OK {
            connectionsOpened += opened
        }
        guard result == CURLE_OK else { throw failure(result) }
        var status = 0
        let statusRead = eventgrpc_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        guard statusRead == CURLE_OK else { throw failure(statusRead) }
        return (status, responseBody)
    }

    /// Peer verification always on, host-name verification as configured, the CA file (curl's default bundle when
    /// none is given), the client certificate when given, TLS 1.2 or later.
    private func tlsOptions(_ tls: TLSClientSettings) -> [CURLcode] {
        var options = [
            eventgrpc_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1),
            eventgrpc_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, tls.verifyHostname ? 2 : 0),
            eventgrpc_curl_setopt_long(handle, CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2)),
        ]
        if let caFile = tls.caFile {
            options.append(eventgrpc_curl_setopt_string(handle, CURLOPT_CAINFO, caFile))
        }
        if let certificate = tls.certificateFile, let key = tls.keyFile {
            options.append(eventgrpc_curl_setopt_string(handle, CURLOPT_SSLCERT, certificate))
            options.append(eventgrpc_curl_setopt_string(handle, CURLOPT_SSLKEY, key))
        }
        return options
    }

    /// POSTs `body` straight from its storage: libcurl reads it during `curl_easy_perform` only.
    private func performPost(body: [UInt8]) -> CURLcode {
        var empty: UInt8 = 0
        return body.withUnsafeBytes { bytes in
            withUnsafePointer(to: &empty) { emptyPointer in
                // A NULL body would make libcurl read the request body from stdin.
                let base = bytes.baseAddress ?? UnsafeRawPointer(emptyPointer)
                let sizeSet = eventgrpc_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
                guard sizeSet == CURLE_OK else { return sizeSet }
                let bodySet = eventgrpc_curl_setopt_const_pointer(handle, CURLOPT_POSTFIELDS, base)
                guard bodySet == CURLE_OK else { return bodySet }
                return curl_easy_perform(handle)
            }
        }
    }

    private func failure(_ code: CURLcode) -> CurlTransferFailure {
        errorBuffer[Int(CURL_ERROR_SIZE) - 1] = 0
        let buffered = String(cString: errorBuffer)
        let detail = buffered.isEmpty ? String(cString: curl_easy_strerror(code)) : buffered
        // The pre-transfer timer is set once the connection is up and the request is about to be sent.
        // When the timer cannot be read, assume the request may have run (no replay on another replica).
        var pretransfer: curl_off_t = 0
        let timerRead = eventgrpc_curl_getinfo_off_t(handle, CURLINFO_PRETRANSFER_TIME_T, &pretransfer)
        let reachedServer = timerRead != CURLE_OK || pretransfer > 0
        // Before the request went out, over HTTPS: a TLS error code, or a timeout once TCP was connected (a plain
        // HTTP port may wait for more of what it takes for a request line, and never answer the handshake).
        let handshakeTimedOut = code == CURLE_OPERATION_TIMEDOUT && closedSockets.lastWasConnected
        let tlsHandshakeFailed =
            secureTransfer && !reachedServer && (Self.tlsErrors.contains(code) || handshakeTimedOut)
        return CurlTransferFailure(
            curlCode: Int(code.rawValue),
            detail: detail,
            timedOut: code == CURLE_OPERATION_TIMEDOUT,
            reachedServer: reachedServer,
            tlsHandshakeFailed: tlsHandshakeFailed
        )
    }

    /// The CURLcodes of a failed TLS set-up or handshake: connect error, certificate or key file, cipher, peer
    /// verification, CA file, CRL file, issuer, pinned key, certificate status, client certificate.
    private static let tlsErrors: Set<CURLcode> = [
        CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_PEER_FAILED_VERIFICATION,
        CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
        CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_SSL_ENGINE_INITFAILED, CURLE_USE_SSL_FAILED,
    ]

    /// curl takes whole milliseconds; 0 would mean "no limit", so at least 1.
    private func milliseconds(_ duration: Duration) -> Int {
        max(1, Int(duration.wholeMilliseconds))
    }
}

/// libcurl's write callback: appends the received bytes to the handle passed as user data.
private func receiveBody(
    _ data: UnsafeMutablePointer<CChar>?,
    _ size: Int,
    _ count: Int,
    _ userData: UnsafeMutableRawPointer?
) -> Int {
    guard let userData else { return 0 }
    let easy = Unmanaged<CurlEasyHandle>.fromOpaque(userData).takeUnretainedValue()
    let length = size * count
    if let data, length > 0 {
        data.withMemoryRebound(to: UInt8.self, capacity: length) {
            easy.responseBody.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
        }
    }
    return length
}

/// libcurl's close-socket callback: records whether the socket had a peer (its TCP connection was made), then
/// closes it as libcurl would.
private func closeSocket(_ userData: UnsafeMutableRawPointer?, _ socket: curl_socket_t) -> Int32 {
    if let userData {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let connected = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(socket, $0, &length) == 0 }
        }
        Unmanaged<CurlEasyHandle.ClosedSockets>.fromOpaque(userData).takeUnretainedValue().lastWasConnected = connected
    }
    return close(socket)
}
