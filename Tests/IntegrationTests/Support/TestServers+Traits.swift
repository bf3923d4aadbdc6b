import Testing

extension TestServers {
    /// Decided once per test run: a suite whose server is missing is skipped (and reported as skipped) outside CI;
    /// under CI (`CI=true` or `INTEGRATION=required`) it runs, and its tests record the missing server as a failure.
    static let runsRabbitMQTests = mustExist || isListening(host: rabbitHost, port: rabbitPort)
    static let runsClickHouseTests = mustExist || isListening(host: clickHouseHost, port: clickHousePort)
}

extension Trait where Self == ConditionTrait {
    /// The suite talks to the test stack's RabbitMQ (`make stack-up`).
    static var needsRabbitMQ: Self {
        .enabled(
            if: TestServers.runsRabbitMQTests,
            "RabbitMQ is not listening on \(TestServers.rabbitHost):\(TestServers.rabbitPort); start it with make stack-up"
        )
    }

    /// The suite talks to the test stack's ClickHouse (`make stack-up`).
    static var needsClickHouse: Self {
        .enabled(
            if: TestServers.runsClickHouseTests,
            "ClickHouse is not listening on \(TestServers.clickHouseHost):\(TestServers.clickHousePort); start it with make stack-up"
        )
    }
}
