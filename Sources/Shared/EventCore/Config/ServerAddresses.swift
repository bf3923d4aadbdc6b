/// Where RabbitMQ and ClickHouse are, as both binaries read them from the environment.
public struct ServerAddresses: Sendable, Equatable {
    /// `RABBIT_HOST`, default `127.0.0.1`.
    public var rabbitHost = "127.0.0.1"
    /// `RABBIT_PORT`, default 5672, or 5671 with `RABBIT_TLS`.
    public var rabbitPort = 5672
    /// `RABBIT_USER`, default `guest`.
    public var rabbitUser = "guest"
    /// `RABBIT_PASSWORD`, default `guest`. Never logged.
    public var rabbitPassword = "guest"
    /// `RABBIT_VHOST`, default `/`.
    public var rabbitVhost = "/"
    /// `RABBIT_TLS` (default off): AMQPS, with `RABBIT_CA_FILE`, `RABBIT_CERT_FILE`, `RABBIT_KEY_FILE` and
    /// `RABBIT_TLS_VERIFY_HOSTNAME`; nil for plain AMQP.
    public var rabbitTLS: TLSClientSettings?
    /// `CLICKHOUSE_HOST`, default `127.0.0.1`; a comma-separated list names replicas, tried in order.
    public var clickHouseHosts = ["127.0.0.1"]
    /// `CLICKHOUSE_PORT` (HTTP interface), default 8123, or 8443 with `CLICKHOUSE_SECURE`.
    public var clickHousePort = 8123
    /// `CLICKHOUSE_USER`, default `default`.
    public var clickHouseUser = "default"
    /// `CLICKHOUSE_PASSWORD`, default empty. Never logged.
    public var clickHousePassword = ""
    /// `CLICKHOUSE_SECURE` (default off): HTTPS, with `CLICKHOUSE_CA_FILE`, `CLICKHOUSE_CERT_FILE`,
    /// `CLICKHOUSE_KEY_FILE` and `CLICKHOUSE_TLS_VERIFY_HOSTNAME`; nil for plain HTTP.
    public var clickHouseTLS: TLSClientSettings?

    public init() {}

    /// Reads the RabbitMQ variables and, unless `clickHouse` is false (the gateway never talks to ClickHouse, so it
    /// neither reads nor lists those variables), the ClickHouse ones.
    public init(environment env: Environment, clickHouse: Bool = true) throws {
        rabbitHost = env.string("RABBIT_HOST", default: rabbitHost)
        let rabbitSecure = try env.bool("RABBIT_TLS", default: false)
        rabbitPort = try env.port("RABBIT_PORT", default: rabbitSecure ? 5671 : rabbitPort)
        rabbitUser = env.string("RABBIT_USER", default: rabbitUser)
        rabbitPassword = env.string("RABBIT_PASSWORD", default: rabbitPassword)
        rabbitVhost = env.string("RABBIT_VHOST", default: rabbitVhost)
        rabbitTLS = try TLSClientSettings.read(env, prefix: "RABBIT", enabled: rabbitSecure, switchName: "RABBIT_TLS")
        guard clickHouse else { return }
        let hosts = env.string("CLICKHOUSE_HOST", default: "127.0.0.1")
            .split(separator: ",").map { String($0).trimmingSpaces }
        if !hosts.isEmpty, hosts.allSatisfy({ !$0.isEmpty }) {
            clickHouseHosts = hosts
        } else {
            try env.reject(
                ConfigurationError(
                    variable: "CLICKHOUSE_HOST",
                    value: env.rawValue("CLICKHOUSE_HOST"),
                    expected: "a host name or a comma-separated list of host names"
                )
            )
        }
        let clickHouseSecure = try env.bool("CLICKHOUSE_SECURE", default: false)
        clickHousePort = try env.port("CLICKHOUSE_PORT", default: clickHouseSecure ? 8443 : clickHousePort)
        clickHouseUser = env.string("CLICKHOUSE_USER", default: clickHouseUser)
        clickHousePassword = env.string("CLICKHOUSE_PASSWORD", default: clickHousePassword)
        clickHouseTLS = try TLSClientSettings.read(
            env,
            prefix: "CLICKHOUSE",
            enabled: clickHouseSecure,
            switchName: "CLICKHOUSE_SECURE"
        )
    }
}
