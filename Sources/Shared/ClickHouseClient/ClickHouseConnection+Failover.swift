import EventCore

extension ClickHouseConnection {
    /// Sends `request` to the replicas in order from `preferredHostIndex` until one is reached; returns the
    /// body of a 200 answer.
    @discardableResult
    func send(_ request: ClickHouseRequest) throws(ClickHouseError) -> [UInt8] {
        let hosts = configuration.hosts
        var unreachable: [String] = []
        var lastFailure: CurlTransferFailure?
        for attempt in 0..<hosts.count {
            let index = (preferredHostIndex + attempt) % hosts.count
            let endpoint = hosts[index]
            let response: (status: Int, body: [UInt8])
            do {
                response = try easy.perform(
                    request,
                    url: request.url(for: endpoint),
                    connectTimeout: configuration.connectTimeout
                )
            } catch {
                if error.reachedServer {
                    preferredHostIndex = (index + 1) % hosts.count
                    throw Self.brokenRequest(error, endpoint: endpoint)
                }
                logger.warning(
                    "ClickHouse replica unreachable, trying the next one",
                    ["clickhouse.host": "\(endpoint.host)", "clickhouse.port": .int(endpoint.port)]
                        .merging(Logger.Metadata.error(error)) { _, new in new }
                )
                unreachable.append("\(endpoint.host):\(endpoint.port) (\(error.detail))")
                lastFailure = error
                continue
            }
            preferredHostIndex = index
            guard response.status == 200 else {
                throw ClickHouseError.server(status: response.status, body: response.body)
            }
            return response.body
        }
        throw ClickHouseError(
            code: .connectionFailed,
            message: "No ClickHouse replica accepted a connection (tried \(unreachable.joined(separator: ", "))): "
                + "start ClickHouse or fix the configured hosts and ports.",
            cause: lastFailure
        )
    }

    private static func brokenRequest(
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
        return ClickHouseError(
            code: .connectionFailed,
            message: "The connection to ClickHouse at \(address) broke during the request: retry; the statement may "
                + "or may not have run.",
            cause: failure
        )
    }
}
