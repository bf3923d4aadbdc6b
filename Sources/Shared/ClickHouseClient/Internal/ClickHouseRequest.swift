/// One HTTP request to ClickHouse, independent of the replica it goes to.
///
/// Statements built here contain only validated identifiers; every value travels in the body or in a
/// percent-encoded URL parameter. Credentials are never part of it (they go in headers).
struct ClickHouseRequest: Equatable {
    enum Method: Equatable {
        case get, post
    }

    var method: Method
    /// `/` for statements, `/ping` for the health check.
    var path: String
    /// URL parameters in order, not yet encoded.
    var parameters: [Parameter]
    var body: [UInt8]
    var timeout: Duration

    struct Parameter: Equatable {
        var name: String
        var value: String
    }

    /// `scheme://host:port/path?name=value&...` with names and values percent-encoded.
    func url(for endpoint: ClickHouseConfiguration.Endpoint, scheme: String = "http") -> String {
        let host = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
        var url = "\(scheme)://\(host):\(endpoint.port)\(path)"
        if !parameters.isEmpty {
            let pairs = parameters.map { "\(percentEncoded($0.name))=\(percentEncoded($0.value))" }
            url += "?" + pairs.joined(separator: "&")
        }
        return url
    }

    /// A statement in the POST body, run in `database`. `wait_end_of_query=1` makes ClickHouse hold the answer
    /// until the statement has finished, so a failure midway is an HTTP error rather than text after a 200.
    static func query(_ sql: String, database: ClickHouseIdentifier, timeout: Duration) -> ClickHouseRequest {
        let parameters = [
            Parameter(name: "database", value: database.name), Parameter(name: "wait_end_of_query", value: "1"),
        ]
        return ClickHouseRequest(
            method: .post,
            path: "/",
            parameters: parameters,
            body: Array(sql.utf8),
            timeout: timeout
        )
    }

    /// JSONEachRow rows in the POST body, the INSERT statement and its settings in the URL.
    static func insert(
        into table: QualifiedTable,
        columns: [ClickHouseIdentifier],
        rows: [UInt8],
        queryID: String?,
        database: ClickHouseIdentifier,
        timeout: Duration
    ) -> ClickHouseRequest {
        var parameters = [
            Parameter(name: "database", value: database.name),
            Parameter(name: "query", value: insertStatement(into: table, columns: columns)),
            Parameter(name: "input_format_skip_unknown_fields", value: "1"),
            Parameter(name: "date_time_input_format", value: "best_effort"),
        ]
        if let queryID {
            parameters.append(Parameter(name: "query_id", value: queryID))
        }
        return ClickHouseRequest(method: .post, path: "/", parameters: parameters, body: rows, timeout: timeout)
    }

    /// `GET /ping`, answered `Ok.` by a live server without running a query.
    static func ping(timeout: Duration) -> ClickHouseRequest {
        ClickHouseRequest(method: .get, path: "/ping", parameters: [], body: [], timeout: timeout)
    }

    /// `INSERT INTO db.table (a, b) FORMAT JSONEachRow`; with no columns, every column in table order.
    static func insertStatement(into table: QualifiedTable, columns: [ClickHouseIdentifier]) -> String {
        let columnList = columns.isEmpty ? "" : " (" + columns.map(\.name).joined(separator: ", ") + ")"
        return "INSERT INTO \(table)\(columnList) FORMAT JSONEachRow"
    }
}

/// RFC 3986 percent-encoding: every byte outside the unreserved set `A-Z a-z 0-9 - . _ ~` becomes `%XX`.
func percentEncoded(_ text: String) -> String {
    var encoded = [UInt8]()
    encoded.reserveCapacity(text.utf8.count)
    let hex = Array("0123456789ABCDEF".utf8)
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            encoded.append(byte)
        default:
            encoded.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
        }
    }
    return String(decoding: encoded, as: UTF8.self)
}
