public import EventCore

/// Everything a sink worker reads from its environment, parsed in one place.
public struct WorkerConfiguration: Sendable {
    public var servers = ServerAddresses()
    /// `TOPOLOGY_FILE`: the topology JSON; unset means the built-in default (`config/topology.json`).
    public var topologyFile: String?
    /// `CLICKHOUSE_INSERT_TIMEOUT`: how long one insert may take, default 10 s.
    public var insertTimeout: Duration = .seconds(10)
    /// `RETRY_DELAY`: pause before a message is requeued while ClickHouse is unreachable, default 1 s (a refused
    /// insert follows the queue's retry policy in the topology instead).
    public var retryDelay: Duration = .seconds(1)
    /// `DRAIN_TIMEOUT`: how long a graceful shutdown may take, default 30 s.
    public var drainTimeout: Duration = .seconds(30)
    /// `LOG_LEVEL`: default `info`.
    public var logLevel = Logger.Level.info
    /// `LOG_FORMAT`: `json` (default) or `text`.
    public var logFormat = LogFormat.json
    /// `ADMIN_PORT` (default 8021, 0 disables), `ADMIN_HOST`, `ADMIN_TOKEN`: heartbeat and metrics.
    public var admin = AdminSettings(port: 8021)
    /// `CLICKHOUSE_STATEMENT_LOG`: debugging only, a file that every statement and insert sent to ClickHouse is
    /// appended to (JSON lines, with the settings sent); unset (the default) records nothing.
    public var statementLog: String?

    public init() {}

    public init(environment env: Environment) throws {
        servers = try ServerAddresses(environment: env)
        topologyFile = env.optionalString("TOPOLOGY_FILE")
        insertTimeout = try env.duration(
            "CLICKHOUSE_INSERT_TIMEOUT",
            default: insertTimeout,
            atLeast: .milliseconds(100)
        )
        retryDelay = try env.duration("RETRY_DELAY", default: retryDelay)
        drainTimeout = try env.duration("DRAIN_TIMEOUT", default: drainTimeout, atLeast: .seconds(1))
        logLevel = try env.logLevel()
        logFormat = try env.logFormat()
        admin = try AdminSettings(environment: env, defaultPort: admin.port)
        statementLog = env.optionalString("CLICKHOUSE_STATEMENT_LOG")
    }
}
