/// Where RabbitMQ and ClickHouse are, as both binaries read them from the environment.
public struct ServerAddresses: Sendable, Equatable {
    /// `RABBIT_HOST`, default `127.0.0.1`.
    public var rabbitHost = "127.0.0.1"
    /// `RABBIT_PORT`, default 5672.
    public var rabbitPort = 5672
    /// `RABBIT_USER`, default `guest`.
    public var rabbitUser = "guest"
    /// `RABBIT_PASSWORD`, default `guest`. Never logged.
    public var rabbitPassword = "guest"
    /// `RABBIT_VHOST`, default `/`.
    public var rabbitVhost = "/"
    /// `CLICKHOUSE_HOST`, default `127.0.0.1`; a comma-separated list names replicas, tried in order.
    public var clickHouseHosts = ["127.0.0.1"]
    /// `CLICKHOUSE_PORT` (HTTP interface), default 8123.
    public var clickHousePort = 8123
    /// `CLICKHOUSE_USER`, default `default`.
    public var clickHouseUser = "default"
    /// `CLICKHOUSE_PASSWORD`, default empty. Never logged.
    public var clickHousePassword = ""

    public init() {}

    /// Reads the RabbitMQ variables and, unless `clickHouse` is false (the gateway never talks to ClickHouse, so it
    /// neither reads nor lists those variables), the ClickHouse ones.
    public init(environment env: Environment, clickHouse: Bool = true) throws {
        rabbitHost = env.string("RABBIT_HOST", default: rabbitHost)
        rabbitPort = try env.port("RABBIT_PORT", default: rabbitPort)
        rabbitUser = env.string("RABBIT_USER", default: rabbitUser)
        rabbitPassword = env.string("RABBIT_PASSWORD", default: rabbitPassword)
        rabbitVhost = env.string("RABBIT_VHOST", default: rabbitVhost)
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
        clickHousePort = try env.port("CLICKHOUSE_PORT", default: clickHousePort)
        clickHouseUser = env.string("CLICKHOUSE_USER", default: clickHouseUser)
        clickHousePassword = env.string("CLICKHOUSE_PASSWORD", default: clickHousePassword)
    }
}
