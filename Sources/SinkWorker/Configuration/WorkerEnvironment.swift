import EventCore

/// The worker's table of environment variables for `--help`: what each means. Names and defaults come from the
/// parser (`WorkerSettings.environmentReads`); the tests check that this table explains exactly the variables
/// read, no more and no fewer.
enum WorkerEnvironment {
    static let meanings: [String: String] = EnvironmentHelp.sharedMeanings.merging(
        [
            "ADMIN_PORT": "admin HTTP port (heartbeat, metrics); 0 disables it; two workers on a host need two ports",
            "TOPOLOGY_FILE": "the topology JSON; unset: the built-in default (config/topology.json)",
            "CLICKHOUSE_INSERT_TIMEOUT": "limit for one insert",
            "RETRY_DELAY": "while ClickHouse is unreachable: pause before a message is requeued or a batch retried",
            "DRAIN_TIMEOUT": "limit for a graceful shutdown",
            "CLICKHOUSE_STATEMENT_LOG": "debugging: append every statement and insert sent to ClickHouse (with its "
                + "settings and rows) to this file as JSON lines; it holds event data",
        ]
    ) { _, own in own }
}
