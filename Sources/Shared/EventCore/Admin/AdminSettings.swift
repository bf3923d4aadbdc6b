/// The admin HTTP endpoint's settings (`ADMIN_PORT`, `ADMIN_HOST`, `ADMIN_TOKEN`) for a process that may run
/// without one.
public struct AdminSettings: Sendable, Equatable {
    /// `ADMIN_PORT`; 0 disables the endpoint.
    public var port: Int
    /// `ADMIN_HOST`, default `127.0.0.1`: a stranger must not be able to drain the instance.
    public var host = "127.0.0.1"
    /// `ADMIN_TOKEN`: required by `PUT /heartbeat/` when set, and at start-up when `host` is not loopback.
    /// Never logged.
    public var token: String?

    public var isEnabled: Bool { port != 0 }

    public init(port: Int) {
        self.port = port
    }

    public init(environment env: Environment, defaultPort: Int) throws {
        port = try env.int("ADMIN_PORT", default: defaultPort, in: 0...65535)
        host = env.string("ADMIN_HOST", default: host)
        token = env.optionalString("ADMIN_TOKEN")
        if isEnabled && token == nil && !host.hasPrefix("127.") {
            try env.reject(
                ConfigurationError(
                    variable: "ADMIN_HOST",
                    value: host,
                    expected: "a loopback address (127.0.0.1), or set ADMIN_TOKEN to protect the drain toggle"
                )
            )
        }
    }
}
