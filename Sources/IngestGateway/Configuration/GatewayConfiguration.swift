public import EventCore
public import HTTP2Server
public import IngestPipeline

/// Everything the gateway reads from its environment, parsed in one place; a bad value stops start-up with the
/// variable's name (all bad values together when the environment collects them, see `GatewaySettings`). Sizes
/// take binary units (`64MiB`, `512KiB`) or plain bytes.
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
    /// `EVENT_BUFFERED_CHANNEL_SIZE`: batches the bounded queue holds, default 1000.
    public var queueCapacity = 1000
    /// `EVENT_BUFFERED_MAX_BYTES`: bytes of broker messages the queue holds, default 16 MiB.
    public var queueMaxBytes = 16 * 1024 * 1024
    /// `EVENT_ENQUEUE_TIMEOUT`: how long a call waits for room before RESOURCE_EXHAUSTED, default 1 s.
    public var enqueueTimeout: Duration = .seconds(1)
    /// `MAX_CONCURRENT_DISPATCHES`: `dispatch` calls being decoded and queued at once, default 256; as many more
    /// wait up to `EVENT_ENQUEUE_TIMEOUT` for a slot, then get RESOURCE_EXHAUSTED; while that line is full, new
    /// calls get RESOURCE_EXHAUSTED on their HEADERS. A queued call gives its slot back while it waits for its round.
    public var maxConcurrentDispatches = 256
    /// `EVENT_WORKER_POOL_SIZE`: publish rounds in flight at once, default 1. Each round carries every call queued
    /// while the workers were busy (natural batching), so fewer workers make fewer, larger broker messages; one
    /// round in flight measured best on every `make bench` case (BENCHMARKS.md).
    public var workerPoolSize = 1
    /// `COALESCE_MAX_EVENTS` (default 50,000) and `COALESCE_MAX_BYTES` (default 16 MiB): how much one round, and so
    /// one broker message, may carry. `PUBLISH_ROUND_INTERVAL` (default 350 ms; 0 turns it off): under load, the
    /// least time between two rounds' starts. A held round also goes once the queue is full
    /// (`RoundLimits.holdCalls` is the queue's capacity).
    public var rounds = RoundLimits()
    /// `MAX_MESSAGE_BYTES`: largest request message, default 4 MiB.
    public var maxMessageBytes = 4 * 1024 * 1024
    /// `SHUTDOWN_GRACE`: on SIGTERM, how long the gateway keeps serving while reporting NOT_SERVING, so that load
    /// balancers stop sending before the port closes; default 0 s (set it to your probe period).
    public var shutdownGrace: Duration = .zero
    /// `DRAIN_TIMEOUT`: how long a graceful shutdown may take, default 30 s.
    public var drainTimeout: Duration = .seconds(30)
    /// `LOG_LEVEL`: default `info`.
    public var logLevel = Logger.Level.info
    /// `LOG_FORMAT`: `json` (default) or `text`.
    public var logFormat = LogFormat.json
    /// `AUTH_TOKENS_FILE`: bearer tokens for `dispatch`, one per line; unset means no authentication.
    public var authTokensFile: String?
    /// `TLS_CERT_FILE` and `TLS_KEY_FILE` (both or neither): the gRPC port speaks TLS 1.2+ with ALPN h2;
    /// `TLS_CLIENT_CA_FILE` adds client-certificate verification, `TLS_HANDSHAKE_TIMEOUT` (default 10 s) bounds a
    /// handshake. Unset: HTTP/2 cleartext. The admin port stays plaintext (it binds loopback by default).
    public var tls: TLSConfiguration?

    public init() {}

    public init(environment env: Environment) throws {
        server.port = try env.port("PORT", default: server.port)
        server.host = env.string("GRPC_HOST", default: server.host)
        adminPort = try env.port("ADMIN_PORT", default: adminPort)
        adminHost = env.string("ADMIN_HOST", default: adminHost)
        adminToken = env.optionalString("ADMIN_TOKEN")
        if adminToken == nil && !adminHost.hasPrefix("127.") {
            try env.reject(
                ConfigurationError(
                    variable: "ADMIN_HOST",
                    value: adminHost,
                    expected: "a loopback address (127.0.0.1), or set ADMIN_TOKEN to protect the drain toggle"
                )
            )
        }
        servers = try ServerAddresses(environment: env, clickHouse: false)
        topologyFile = env.optionalString("TOPOLOGY_FILE")
        limits.maxEventsPerBatch = try env.int(
            "EVENT_MAX_BATCH_EVENTS",
            default: limits.maxEventsPerBatch,
            in: 1...100_000
        )
        queueCapacity = try env.int("EVENT_BUFFERED_CHANNEL_SIZE", default: queueCapacity, in: 1...1_000_000)
        queueMaxBytes = try env.bytes("EVENT_BUFFERED_MAX_BYTES", default: queueMaxBytes, in: 1024...(16 << 30))
        enqueueTimeout = try env.duration("EVENT_ENQUEUE_TIMEOUT", default: enqueueTimeout, atLeast: .milliseconds(1))
        maxConcurrentDispatches = try env.int(
            "MAX_CONCURRENT_DISPATCHES",
            default: maxConcurrentDispatches,
            in: 1...100_000
        )
        workerPoolSize = try env.int("EVENT_WORKER_POOL_SIZE", default: workerPoolSize, in: 1...4096)
        rounds.maxEvents = try env.int("COALESCE_MAX_EVENTS", default: rounds.maxEvents, in: 1...1_000_000)
        rounds.maxBytes = try env.bytes("COALESCE_MAX_BYTES", default: rounds.maxBytes, in: 1024...(256 << 20))
        rounds.interval = try env.duration("PUBLISH_ROUND_INTERVAL", default: rounds.interval)
        if rounds.interval > .seconds(10) {
            try env.reject(
                ConfigurationError(
                    variable: "PUBLISH_ROUND_INTERVAL",
                    value: env.rawValue("PUBLISH_ROUND_INTERVAL"),
                    expected: "a duration of at most 10s (0 publishes every round at once)"
                )
            )
        }
        rounds.holdCalls = queueCapacity
        maxMessageBytes = try env.bytes("MAX_MESSAGE_BYTES", default: maxMessageBytes, in: 1024...(64 * 1024 * 1024))
        server.maxRequestBodyBytes = maxMessageBytes + 5
        server.maxBufferedRequestBytes = try env.bytes(
            "MAX_BUFFERED_REQUEST_BYTES",
            default: server.maxBufferedRequestBytes,
            in: (maxMessageBytes + 5)...(64 << 30)
        )
        try readTransportLimits(env)
        drainTimeout = try env.duration("DRAIN_TIMEOUT", default: drainTimeout, atLeast: .seconds(1))
        shutdownGrace = try env.duration("SHUTDOWN_GRACE", default: shutdownGrace)
        if shutdownGrace >= drainTimeout {
            try env.reject(
                ConfigurationError(
                    variable: "SHUTDOWN_GRACE",
                    value: env.rawValue("SHUTDOWN_GRACE"),
                    expected: "a duration shorter than DRAIN_TIMEOUT (\(Environment.formatDuration(drainTimeout)))"
                )
            )
        }
        logLevel = try env.logLevel()
        logFormat = try env.logFormat()
        authTokensFile = env.optionalString("AUTH_TOKENS_FILE")
        tls = try Self.tlsConfiguration(env)
    }

    /// The TLS variables; a half-given pair (certificate without key, a client CA without either) is refused.
    private static func tlsConfiguration(_ env: Environment) throws -> TLSConfiguration? {
        let certificate = env.optionalString("TLS_CERT_FILE")
        let key = env.optionalString("TLS_KEY_FILE")
        let clientCA = env.optionalString("TLS_CLIENT_CA_FILE")
        let handshakeTimeout = try env.duration(
            "TLS_HANDSHAKE_TIMEOUT",
            default: .seconds(10),
            atLeast: .milliseconds(100)
        )
        guard let certificate, let key else {
            if certificate != nil || key != nil || clientCA != nil {
                let (variable, value) = certificate == nil ? ("TLS_CERT_FILE", "") : ("TLS_KEY_FILE", "")
                try env.reject(
                    ConfigurationError(
                        variable: variable,
                        value: value,
                        expected: "TLS_CERT_FILE and TLS_KEY_FILE set together (TLS_CLIENT_CA_FILE needs both)"
                    )
                )
            }
            return nil
        }
        var configuration = TLSConfiguration(certificateFile: certificate, keyFile: key, clientCAFile: clientCA)
        configuration.handshakeTimeout = handshakeTimeout
        return configuration
    }
}
