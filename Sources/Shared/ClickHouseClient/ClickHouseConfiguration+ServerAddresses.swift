public import EventCore

extension ClickHouseConfiguration {
    /// The replicas and credentials from the environment (`CLICKHOUSE_*`), with the given insert timeout.
    public init(servers: ServerAddresses, insertTimeout: Duration) {
        self.init(
            hosts: servers.clickHouseHosts.map { Endpoint(host: $0, port: servers.clickHousePort) },
            user: servers.clickHouseUser,
            password: servers.clickHousePassword,
            insertTimeout: insertTimeout
        )
    }
}
