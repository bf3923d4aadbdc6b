import EventCore

extension ClickHouseConnection {
    /// Sends `request` to the replicas in order from `preferredHostIndex` until one is reached; returns the
    /// body of a 200 answer.
    @discardableResult
    func send(_ request: ClickHouseRequest) throws(ClickHouseError) -> [UInt8] {
        statementLog?.record(request)
        let hosts = configuration.hosts
        var unreachable: [String] = []
        var lastFailure: CurlTransferFailure?
        var tlsFailure: (failure: CurlTransferFailure, endpoint: ClickHouseConfiguration.Endpoint)?
        for attempt in 0..<hosts.count {
            let index = (preferredHostIndex + attempt) % hosts.count
            let endpoint = hosts[index]
            let response: (status: Int, body: [UInt8])
            do {
                response = try easy.perform(
                    request,
                    url: request.url(for: endpoint, scheme: configuration.scheme),
                    connectTimeout: configuration.connectTimeout,
                    tls: configuration.tls
                )
            } catch {
                if error.reachedServer {
                    preferredHostIndex = (index + 1) % hosts.count
                    throw brokenRequest(error, endpoint: endpoint)
                }
                logger.warning(
                    error.tlsHandshakeFailed
                        ? "ClickHouse replica refused by TLS, trying the next one"
                        : "ClickHouse replica unreachable, trying the next one",
                    ["clickhouse.host": "\(endpoint.host)", "clickhouse.port": .int(endpoint.port)]
                        .merging(Logger.Metadata.error(error)) { _, new in new }
                )
                unreachable.append("\(endpoint.host):\(endpoint.port) (\(error.detail))")
                lastFailure = error
                if error.tlsHandshakeFailed { tlsFailure = (error, endpoint) }
                continue
            }
            preferredHostIndex = index
            guard response.status == 200 else {
                throw ClickHouseError.server(status: response.status, body: response.body)
            }
            return response.body
        }
        if let tlsFailure {
            throw Self.tlsRefused(tlsFailure.failure, endpoint: tlsFailure.endpoint, tried: unreachable)
        }
        throw ClickHouseError(
            code: .connectionFailed,
            message: "No ClickHouse replica accepted a connection (tried \(unreachable.joined(separator: ", "))): "
                + "start ClickHouse or fix the configured hosts and ports.",
            cause: lastFailure
        )
    }

    private func brokenRequest(
        _ failure: CurlTransferFailure,
        endpoint: ClickHouseConfiguration.Endpoint
    ) -> ClickHouseError {
        let address = "\(endpoint.host):\(endpoint.port)"
        if failure.timedOut {
            return ClickHouseError(
                code: .timeout,
                message: "ClickHouse at \(address) did not answer within the timeout: retry later; the statement may "
                    + "or may not have run, so only retry idempotent work (inserts deduplicated by key).",
                cause: failure
            )
        }
        // An HTTPS port resets a plaintext request: say so, since that is the likely cause on a new set-up.
        let hint =
            configuration.tls == nil
            ? " If \(address) is ClickHouse's HTTPS port, set CLICKHOUSE_SECURE=1 (or use its plain HTTP port)." : ""
        return ClickHouseError(
            code: .connectionFailed,
            message: "The connection to ClickHouse at \(address) broke during the request: retry; the statement may "
                + "or may not have run.\(hint)",
            cause: failure
        )
    }
}
