public import EventCore

/// A synchronous HTTP client for one ClickHouse database and its replicas.
///
/// It owns one libcurl easy handle, reused between requests so connections stay alive. It is not thread-safe and
/// not `Sendable`: one thread creates it, calls it, and drops it. Calls block that thread for up to the request's
/// timeout per replica tried.
///
/// Replicas are tried in order starting with the last one that answered. A replica that cannot be connected to is
/// skipped for the next one within the same call. A request that reached a replica and then broke or timed out is
/// not replayed (the server may have run it); the error is thrown and the next call starts with the next replica.
/// An HTTP error answer is ClickHouse speaking: it is thrown as `serverError` without trying another replica.
public final class ClickHouseConnection {
    public let configuration: ClickHouseConfiguration
    let database: ClickHouseIdentifier
    public let logger: Logger
    let easy: CurlEasyHandle
    /// Where every request is recorded, when `configuration.statementLog` names a file.
    let statementLog: ClickHouseStatementLog?
    /// Index in `configuration.hosts` of the replica tried first: the last one that answered.
    public internal(set) var preferredHostIndex = 0
    /// TCP connections opened so far, over all replicas; stays flat while requests reuse a kept-alive connection.
    public var connectionsOpened: Int { easy.connectionsOpened }

    /// Validates the configuration and sets up libcurl; does not connect (call `ping()` for that).
    public init(
        configuration: ClickHouseConfiguration,
        logger: Logger = Logger(label: "clickhouse")
    )
        throws(ClickHouseError)
    {
        try configuration.validate()
        self.configuration = configuration
        self.database = try ClickHouseIdentifier(configuration.database)
        self.logger = logger
        var headers = ["X-ClickHouse-User: \(configuration.user)", "Expect:"]
        if !configuration.password.isEmpty {
            headers.append("X-ClickHouse-Key: \(configuration.password)")
        }
        self.easy = try CurlEasyHandle(headerLines: headers)
        self.statementLog = try configuration.statementLog.map { path throws(ClickHouseError) in
            try ClickHouseStatementLog(path: path)
        }
    }

    /// Runs one statement sent as the POST body (DDL, or a SELECT with its own `FORMAT`) and returns the answer.
    ///
    /// Only for statements the caller writes from validated identifiers: never put values in `sql`.
    @discardableResult
    public func execute(_ sql: String) throws(ClickHouseError) -> [UInt8] {
        try send(.query(sql, database: database, timeout: configuration.queryTimeout))
    }

    /// Inserts rows encoded as JSONEachRow (one JSON object per line) into `table`, naming `columns` so that
    /// omitted fields get the column DEFAULT. Unknown keys are skipped; dates are parsed best-effort.
    ///
    /// - Parameter queryID: sent as `query_id` so the insert can be found in `system.query_log`.
    public func insert(
        into table: QualifiedTable,
        columns: [ClickHouseIdentifier],
        jsonEachRow body: [UInt8],
        queryID: String? = nil
    ) throws(ClickHouseError) {
        let request = ClickHouseRequest.insert(
            into: table,
            columns: columns,
            rows: body,
            queryID: queryID,
            database: database,
            timeout: configuration.insertTimeout
        )
        try send(request)
    }

    /// Checks that a replica answers `GET /ping` with `Ok.` within `connectTimeout`.
    public func ping() throws(ClickHouseError) {
        let body = try send(.ping(timeout: configuration.connectTimeout))
        let text = String(decoding: body, as: UTF8.self)
        guard text == "Ok.\n" || text == "Ok." else {
            throw ClickHouseError(
                code: .invalidResponse,
                message: "The ClickHouse host did not answer /ping with `Ok.`: check that the configured port is "
                    + "ClickHouse's HTTP port.",
                serverMessage: text
            )
        }
    }
}

@available(*, unavailable, message: "A ClickHouseConnection is used by the one thread that owns it")
extension ClickHouseConnection: Sendable {}
