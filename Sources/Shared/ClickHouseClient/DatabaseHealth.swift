public import EventCore

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

    /// What the cron's thread shares with the readers of the verdict.
    struct Checks: Sendable {
        var status = Status(isHealthy: true, check: 0, problem: nil)
        /// The number of the check in progress, or of the last one when none is.
        var started: UInt64 = 0
    }

    public let database: String
    public var name: String { "health-\(database)" }
    let configuration: ClickHouseConfiguration
    let interval: Duration
    let logger: Logger
    let gauge: Gauge?
    /// The cron's thread; a stop request ends its sleep at once.
    let owner = ThreadOwner(Checks())

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
        configuration.statementLog = nil  // health checks are not statements worth replaying
        self.configuration = configuration
        self.interval = interval
        self.logger = logger.with(["clickhouse.database": "\(database.name)"])
        self.gauge = gauge
        gauge?.set(1)
    }

    /// The latest verdict; never waits for a check in progress.
    public var status: Status { owner.withLock { $0.status } }

    /// The number of the check in progress, or of the last one when none is.
    public var startedChecks: UInt64 { owner.withLock { $0.started } }

    /// Runs the cron on its own thread until `shutdown()` (at once if it was already called).
    public func run() async throws {
        owner.start(name: "db-health") { [self] in
            while !owner.withLock({ $0.isStopping }) {
                let started = ContinuousClock.now
                check()
                owner.wait(until: started + interval, for: { $0.isStopping }, then: { _ in })
            }
        }
        await owner.waitUntilStopped()
    }

    public func shutdown() {
        owner.requestStop()
    }

    /// Runs one check on a new connection, closed when it returns.
    func check() {
        let number = owner.withLock { state in
            state.started += 1
            return state.started
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
        let changed = owner.withLock { state -> Bool in
            let changed = state.status.isHealthy != healthy
            state.status = Status(isHealthy: healthy, check: number, problem: problem)
            state.started = max(state.started, number)
            return changed
        }
        gauge?.set(healthy ? 1 : 0)
        guard changed else { return }
        if let problem {
            logger.error("database unhealthy", ["clickhouse.check": .integer(number), "error.message": "\(problem)"])
        } else {
            logger.notice("database healthy again", ["clickhouse.check": .integer(number)])
        }
    }
}
