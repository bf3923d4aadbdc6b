public import EventCore

/// Where and how to reach one ClickHouse database over HTTP or HTTPS.
public struct ClickHouseConfiguration: Sendable {
    /// One replica's HTTP interface.
    public struct Endpoint: Sendable, Hashable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    /// Replicas of the same database, tried in this order when one cannot be reached. Must not be empty.
    public var hosts: [Endpoint]
    /// Sent in the `X-ClickHouse-User` header. Default `default`.
    public var user: String
    /// Sent in the `X-ClickHouse-Key` header (omitted when empty), never in a URL or a log line. Default empty.
    public var password: String
    /// The session's current database (`database=` URL parameter) for names the caller leaves unqualified.
    /// It must already exist, so keep `default` when the statements create their own database. Default `default`.
    public var database: String
    /// Whole-request limit for an insert, from connecting to the last byte of the answer. Default 10 s.
    public var insertTimeout: Duration
    /// Whole-request limit for `execute` (DDL and SELECTs). Default 30 s.
    public var queryTimeout: Duration
    /// Limit for establishing the TCP connection (and the TLS handshake) to one replica; also the whole limit for
    /// `ping`. Default 2 s.
    public var connectTimeout: Duration
    /// HTTPS to every replica when set: each server's certificate is verified against the CA file (the system's
    /// bundle when none is given) and, unless turned off, must name the host. Default nil: plain HTTP.
    public var tls: TLSClientSettings?
    /// Debugging only: a file to which every statement sent (DDL, queries, and each insert with its URL settings
    /// and rows) is appended as one JSON line, for replaying against another ClickHouse. It holds event data.
    /// Default nil: nothing is recorded.
    public var statementLog: String?

    public init(
        hosts: [Endpoint],
        user: String = "default",
        password: String = "",
        database: String = "default",
        insertTimeout: Duration = .seconds(10),
        queryTimeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(2),
        tls: TLSClientSettings? = nil,
        statementLog: String? = nil
    ) {
        self.hosts = hosts
        self.user = user
        self.password = password
        self.database = database
        self.insertTimeout = insertTimeout
        self.queryTimeout = queryTimeout
        self.connectTimeout = connectTimeout
        self.tls = tls
        self.statementLog = statementLog
    }

    /// `https` with `tls`, else `http`.
    var scheme: String { tls == nil ? "http" : "https" }
}

extension ClickHouseConfiguration {
    /// Throws `invalidConfiguration` when no host is given, a port is out of range, a host is not a plain name
    /// or address, or a credential would break the HTTP header it is sent in.
    func validate() throws(ClickHouseError) {
        guard !hosts.isEmpty else {
            throw ClickHouseError(code: .invalidConfiguration, message: "Give at least one ClickHouse host.")
        }
        for endpoint in hosts {
            guard (1...65535).contains(endpoint.port) else {
                throw ClickHouseError(
                    code: .invalidConfiguration,
                    message: "Use a ClickHouse HTTP port between 1 and 65535 (got \(endpoint.port))."
                )
            }
            guard !endpoint.host.isEmpty, endpoint.host.utf8.allSatisfy(Self.isHostByte) else {
                throw ClickHouseError(
                    code: .invalidConfiguration,
                    message: "Give each ClickHouse host as a DNS name or IP address (letters, digits, '.', '-', ':')."
                )
            }
        }
        let headerSafe = { (value: String) in value.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F } }
        guard headerSafe(user), headerSafe(password), !user.isEmpty else {
            throw ClickHouseError(
                code: .invalidConfiguration,
                message: "Give a non-empty ClickHouse user, and a user and password without control characters."
            )
        }
        do {
            _ = try ClickHouseIdentifier(database)
        } catch {
            throw ClickHouseError(
                code: .invalidConfiguration,
                message: "Give the ClickHouse database as a plain identifier.",
                cause: error
            )
        }
    }

    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"),
            UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}

extension ClickHouseConfiguration {
    /// The replicas, credentials and TLS settings from the environment (`CLICKHOUSE_*`), with the given insert
    /// timeout and statement log.
    public init(servers: ServerAddresses, insertTimeout: Duration, statementLog: String? = nil) {
        self.init(
            hosts: servers.clickHouseHosts.map { Endpoint(host: $0, port: servers.clickHousePort) },
            user: servers.clickHouseUser,
            password: servers.clickHousePassword,
            insertTimeout: insertTimeout,
            tls: servers.clickHouseTLS,
            statementLog: statementLog
        )
    }
}
