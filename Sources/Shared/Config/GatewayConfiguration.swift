/// Everything the gateway reads from its environment, parsed in one place; a bad value stops start-up with the
/// variable's name.
public struct GatewayConfiguration: Sendable {
    /// `PORT`: the gRPC port, default 8017. `GRPC_HOST`: the address it binds, default `0.0.0.0`.
    public var server = HTTP2ServerConfiguration()
    /// `ADMIN_PORT`: the admin HTTP port (heartbeat, metrics), default 8019.
    public var adminPort = 8019
    /// `ADMIN_HOST`: where the admin port binds, default `127.0.0.1` (a stranger must not drain an instance).
    public var adminHost = "127.0.0.1"
    /// `ADMIN_TOKEN`: required by `PUT /heartbeat/` when set; required at start-up when `ADMIN_HOST` is not
    /// loopback (a stranger must not be able to drain the instance). Never logged.
    public var adminToken: String?
    public var servers = ServerAddresses()
    /// `TOPOLOGY_FILE`: the topology JSON; unset means the built-in default (`config/topology.json`).
    public var topologyFile: String?
    /// `EVENT_MAX_BATCH_EVENTS` (default 500) and the other batch limits.
    public var limits = IngestLimits()
    /// `MAX_MESSAGE_BYTES`: largest request message, default 4 MiB.
    public var maxMessageBytes = 4 * 1024 * 1024
    /// `DRAIN_TIMEOUT`: how long a graceful shutdown may take, default 30 s.
    public var drainTimeout: Duration = .seconds(30)
    /// `LOG_LEVEL`: default `info`.
    public var logLevel = Logger.Level.info
    /// `AUTH_TOKENS_FILE`: bearer tokens for `dispatch`, one per line; unset means no authentication.
    public var authTokensFile: String?

    public init() {}

    public init(environment env: Environment) throws {
        server.port = try env.port("PORT", default: server.port)
        server.host = env.string("GRPC_HOST", default: server.host)
        adminPort = try env.port("ADMIN_PORT", default: adminPort)
        adminHost = env.string("ADMIN_HOST", default: adminHost)
        adminToken = env.optionalString("ADMIN_TOKEN")
        if adminToken == nil && !adminHost.hasPrefix("127.") {
            throw ConfigurationError(
                variable: "ADMIN_HOST", value: adminHost,
                expected: "a loopback address (127.0.0.1), or set ADMIN_TOKEN to protect the drain toggle")
        }
        servers = try ServerAddresses(environment: env)
        topologyFile = env.optionalString("TOPOLOGY_FILE")
        limits.maxEventsPerBatch = try env.int("EVENT_MAX_BATCH_EVENTS", default: limits.maxEventsPerBatch, in: 1...100_000)
        maxMessageBytes = try env.int("MAX_MESSAGE_BYTES", default: maxMessageBytes, in: 1024...(64 * 1024 * 1024))
        server.maxRequestBodyBytes = maxMessageBytes + 5
        drainTimeout = try env.duration("DRAIN_TIMEOUT", default: drainTimeout, atLeast: .seconds(1))
        logLevel = try env.logLevel()
        authTokensFile = env.optionalString("AUTH_TOKENS_FILE")
    }
}

extension Environment {
    func logLevel() throws -> Logger.Level {
        let raw = string("LOG_LEVEL", default: "info")
        guard let level = Logger.Level(name: raw) else {
            throw ConfigurationError(
                variable: "LOG_LEVEL", value: raw, expected: "trace, debug, info, notice, warning, error or critical")
        }
        return level
    }
}
