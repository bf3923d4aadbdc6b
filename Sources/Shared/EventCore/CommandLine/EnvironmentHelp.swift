/// The environment section of `--help`: every variable a binary's parser read, with the default the parser
/// states, and its meaning from the binary's table. The variables and defaults come from running the parser
/// itself (`Environment.reads`), so the list cannot drift from what is parsed; each binary's tests check that its
/// table explains exactly the variables read.
public enum EnvironmentHelp {
    /// Meanings of the variables EventCore itself parses (`ServerAddresses`, `AdminSettings`, `LOG_LEVEL`,
    /// `LOG_FORMAT`); a binary's table may say more for its own case.
    public static let sharedMeanings: [String: String] = [
        "RABBIT_HOST": "RabbitMQ host",
        "RABBIT_PORT": "AMQP port (5671 when RABBIT_TLS is on and the port is not set)",
        "RABBIT_USER": "RabbitMQ user",
        "RABBIT_PASSWORD": "RabbitMQ password (never logged)",
        "RABBIT_VHOST": "RabbitMQ virtual host",
        "RABBIT_TLS": "AMQPS: TLS to RabbitMQ, the broker's certificate verified",
        "RABBIT_CA_FILE": "PEM CA certificates that may sign the broker's certificate; unset: the system's CA bundle",
        "RABBIT_CERT_FILE": "PEM client certificate offered to the broker (with RABBIT_KEY_FILE)",
        "RABBIT_KEY_FILE": "PEM key of RABBIT_CERT_FILE (unencrypted)",
        "RABBIT_TLS_VERIFY_HOSTNAME": "the broker's certificate must name RABBIT_HOST; false only on a trusted network",
        "CLICKHOUSE_HOST": "ClickHouse host; a comma-separated list names replicas, tried in order",
        "CLICKHOUSE_PORT": "ClickHouse HTTP port (8443 when CLICKHOUSE_SECURE is on and the port is not set)",
        "CLICKHOUSE_USER": "sent as X-ClickHouse-User",
        "CLICKHOUSE_PASSWORD": "sent as X-ClickHouse-Key (never logged)",
        "CLICKHOUSE_SECURE": "HTTPS to ClickHouse (health checks, DDL, inserts), the server's certificate verified",
        "CLICKHOUSE_CA_FILE": "PEM CA certificates that may sign ClickHouse's certificate; unset: the system's CA "
            + "bundle",
        "CLICKHOUSE_CERT_FILE": "PEM client certificate offered to ClickHouse (with CLICKHOUSE_KEY_FILE)",
        "CLICKHOUSE_KEY_FILE": "PEM key of CLICKHOUSE_CERT_FILE (unencrypted)",
        "CLICKHOUSE_TLS_VERIFY_HOSTNAME": "ClickHouse's certificate must name the host; false only on a trusted "
            + "network",
        "ADMIN_HOST": "admin bind address; anything but loopback requires ADMIN_TOKEN",
        "ADMIN_TOKEN": "when set, PUT /heartbeat/ needs Authorization: Bearer <token> (never logged)",
        "LOG_LEVEL": "trace, debug, info, notice, warning (or warn), error or critical",
        "LOG_FORMAT": "json (one JSON object per line) or text (ts LEVEL label: msg key=value ...)",
    ]

    /// `  NAME  DEFAULT  meaning` lines in the order read, aligned; a variable without a meaning shows `?`.
    public static func render(_ reads: [EnvironmentRead], meanings: [String: String]) -> String {
        let nameWidth = reads.map(\.name.count).max() ?? 0
        let defaultWidth = reads.map(\.defaultValue.count).max() ?? 0
        func padded(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(width - text.count, 0))
        }
        return reads.map { read in
            "  \(padded(read.name, nameWidth))  \(padded(read.defaultValue, defaultWidth))  \(meanings[read.name] ?? "?")"
        }.joined(separator: "\n")
    }
}
