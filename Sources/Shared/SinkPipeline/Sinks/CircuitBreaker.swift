public import ClickHouseClient
public import EventCore
import Synchronization

/// Decides, per queue, whether its consumers may take messages (promise P6, seed scenarios 2, 9 and 10).
///
/// It opens when its database's health cron reports the database down, or when `failureThreshold` inserts in a
/// row failed; while open, the queue's consumers settle what they hold back to RabbitMQ and take nothing, so
/// messages wait in the queue instead of failing into the dead-letter queue. It closes once a health check that
/// started after the opening finds the database healthy. State changes are evaluated when read, logged, and
/// exported as `eventgrpc_worker_breaker_open{queue}`.
public final class CircuitBreaker: Sendable {
    public enum Reason: String, Sendable {
        case databaseUnhealthy = "database unhealthy"
        case insertFailures = "consecutive insert failures"
    }

    private struct State {
        var consecutiveFailures = 0
        /// Set while open: why, and the health check in progress at the opening (a later one may close it).
        var open: (reason: Reason, afterCheck: UInt64)?
    }

    private enum Transition {
        case opened(Reason, failures: Int)
        case closed
    }

    public static let defaultFailureThreshold = 5

    public let queue: String
    public let failureThreshold: Int
    /// The database whose health cron the breaker reads; sinks ask it whether a failed insert was an outage.
    public let health: DatabaseHealth
    private let logger: Logger
    private let gauge: Gauge?
    private let state = Mutex(State())

    public init(
        queue: String,
        health: DatabaseHealth,
        failureThreshold: Int = defaultFailureThreshold,
        logger: Logger,
        gauge: Gauge? = nil
    ) {
        precondition(failureThreshold >= 1, "a breaker needs a failure threshold of at least 1")
        self.queue = queue
        self.health = health
        self.failureThreshold = failureThreshold
        self.logger = logger.with(["amqp.queue": "\(queue)", "clickhouse.database": "\(health.database)"])
        self.gauge = gauge
        gauge?.set(0)
    }

    /// True while the queue's consumers must not take messages.
    public var isOpen: Bool {
        let status = health.status
        let transition = state.withLock { state -> Transition? in
            if !status.isHealthy {
                guard state.open == nil else { return nil }
                state.open = (.databaseUnhealthy, status.check)
                return .opened(.databaseUnhealthy, failures: state.consecutiveFailures)
            }
            guard let open = state.open, status.check > open.afterCheck else { return nil }
            state.open = nil
            state.consecutiveFailures = 0
            return .closed
        }
        report(transition)
        return state.withLock { $0.open != nil }
    }

    /// Why the breaker is open, or nil when it is closed (does not evaluate the health cron).
    public var openReason: Reason? {
        state.withLock { $0.open?.reason }
    }

    public func recordSuccess() {
        state.withLock { $0.consecutiveFailures = 0 }
    }

    public func recordFailure() {
        let check = health.startedChecks
        let transition = state.withLock { state -> Transition? in
            state.consecutiveFailures += 1
            guard state.open == nil, state.consecutiveFailures >= failureThreshold else { return nil }
            state.open = (.insertFailures, check)
            return .opened(.insertFailures, failures: state.consecutiveFailures)
        }
        report(transition)
    }

    private func report(_ transition: Transition?) {
        switch transition {
        case .opened(let reason, let failures):
            gauge?.set(1)
            logger.error(
                "circuit breaker open: consumers pause, messages stay in RabbitMQ",
                ["breaker.reason": "\(reason.rawValue)", "breaker.failures": .int(failures)]
            )
        case .closed:
            gauge?.set(0)
            logger.notice("circuit breaker closed: the health check sees the database again; consumers resume")
        case nil:
            break
        }
    }
}
