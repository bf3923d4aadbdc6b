public import EventCore
import Synchronization

/// Whether one ClickHouse database answers: a cron on its own thread and its own connection checks it every
/// `interval` (`GET /ping`, then `SELECT 1` inside the database, so a detached or dropped database counts as
/// down), logs each change, and keeps the verdict where sinks read it without blocking.
///
/// The status is assumed healthy until the first check completes: a worker starts the cron right after it
/// created its schema, so the database has just answered. Each check opens a connection of its own and closes
/// it: a kept-alive connection would be served by a server that is shutting down (it stops listening first) and
/// would hold that server's shutdown back.
public final class DatabaseHealth: Service {
    /// The verdict of one check.
    public struct Status: Sendable, Equatable {
        public var isHealthy: Bool
        /// The number of the check that produced this verdict; 0 before the first check.
        public var check: UInt64
        /// Why the database counts as down, when it does.
        public var problem: String?
    }

    public let database: String
    public var name: String { "health-\(database)" }
    let configuration: ClickHouseConfiguration
    let interval: Duration
    let logger: Logger
    let gauge: Gauge?
    let state: Mutex<(status: Status, startedChecks: UInt64)>
    let stop = ConditionBox(false)

    /// - Parameter configuration: the database's replicas and credentials; its `database` is replaced by
    ///   `database` and its query timeout by its connect timeout, so one check takes a few seconds at most.
    /// - Parameter gauge: set to 1 while healthy and 0 while not, when given.
    public init(
        database: ClickHouseIdentifier,
        configuration: ClickHouseConfiguration,
        interval: Duration = .seconds(1),
        logger: Logger,
        gauge: Gauge? = nil
    ) {
        self.database = database.name
        var configuration = configuration
        configuration.database = database.name
        configuration.queryTimeout = configuration.connectTimeout
        self.configuration = configuration
        self.interval = interval
        self.logger = logger.with(["clickhouse.database": database.name])
        self.gauge = gauge
        self.state = Mutex((Status(isHealthy: true, check: 0, problem: nil), 0))
        gauge?.set(1)
    }

    /// The latest verdict; never waits for a check in progress.
    public var status: Status { state.withLock { $0.status } }

    /// The number of the check in progress, or of the last one when none is.
    public var startedChecks: UInt64 { state.withLock { $0.startedChecks } }

    public func run() async throws {
        try await runOnDedicatedThread(named: "db-health") { [self] in
            while !stop.withLock({ $0 }) {
                let started = ContinuousClock.now
                check()
                stop.wait(until: started + interval, for: { $0 }) { _ in }
            }
        }
    }

    public func shutdown() {
        stop.update { $0 = true }
    }

    /// Runs one check on a new connection, closed when it returns.
    func check() {
        let number = state.withLock { state in
            state.startedChecks += 1
            return state.startedChecks
        }
        do {
            let connection = try ClickHouseConnection(configuration: configuration, logger: logger)
            try connection.ping()
            try connection.execute("SELECT 1")
            record(check: number, problem: nil)
        } catch {
            record(check: number, problem: "\(error)")
        }
    }

    /// Stores a verdict (a check's, or a test's) and logs it when it changes health.
    func record(check number: UInt64, problem: String?) {
        let healthy = problem == nil
        let changed = state.withLock { state -> Bool in
            let changed = state.status.isHealthy != healthy
            state.status = Status(isHealthy: healthy, check: number, problem: problem)
            state.startedChecks = max(state.startedChecks, number)
            return changed
        }
        gauge?.set(healthy ? 1 : 0)
        guard changed else { return }
        if let problem {
            logger.error("database unhealthy", ["clickhouse.check": "\(number)", "error.message": problem])
        } else {
            logger.notice("database healthy again", ["clickhouse.check": "\(number)"])
        }
    }
}
