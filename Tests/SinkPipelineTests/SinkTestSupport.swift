import AMQPClient
import EventCore
import Synchronization

@testable import ClickHouseClient
@testable import SinkPipeline

/// Fakes for the sink unit tests: a database health fed by hand, a row writer that fails on demand, a clock.
enum SinkTestSupport {
    static let logger = Logger(label: "sink-test", minimumLevel: .critical)

    static func health() throws -> DatabaseHealth {
        DatabaseHealth(
            database: try ClickHouseIdentifier("logs"),
            configuration: ClickHouseConfiguration(hosts: [.init(host: "127.0.0.1", port: 1)]),
            logger: logger
        )
    }

    /// Failure counters of a queue, and a way to read them back: (metric name suffix, reason) -> value.
    static func failureMetrics(queue: String = "logs.trace") -> (FailureMetrics, (String, SinkFailure) -> Int) {
        let registry = MetricsRegistry()
        let metrics = FailureMetrics(registry: registry, queue: queue)
        return (
            metrics,
            { name, failure in
                let prefix = "eventgrpc_worker_messages_\(name)_total{"
                let line = registry.render().split(separator: "\n").first {
                    $0.hasPrefix(prefix) && $0.contains("reason=\"\(failure.rawValue)\"")
                }
                return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
            }
        )
    }

    /// A timeout as `TableWriter` reports it.
    static let timeout = SinkError(
        .unreachable,
        "ClickHouse did not take the insert into logs.t: timed out",
        cause: ClickHouseError(code: .timeout, message: "the request did not finish within 10 s")
    )

    static func delivery(tag: UInt64, events: Int = 2, body: String? = nil) -> Delivery {
        let json =
            body ?? """
                {"header":{"sessionId":"s"},"events":[\((0..<events).map { """
                {"id":"e-\(tag)-\($0)","type":"log.trace","timestamp":"1700000000000"}
                """ }.joined(separator: ","))]}
                """
        return Delivery(
            body: Array(json.utf8),
            exchange: "events",
            routingKey: "log.trace",
            messageID: "m-\(tag)",
            headers: [:],
            redelivered: false,
            deliveryTag: tag
        )
    }
}

/// Records inserts; fails while `failing` is set (with `refusal` when set, as ClickHouse refusing the insert), and
/// fails every insert whose rows contain `poison`'s marker with its error (a row ClickHouse refuses, or one whose
/// insert times out).
final class FakeRowWriter: RowWriter, Sendable {
    struct Failure: Error {}
    private let state = Mutex<(inserts: [(rows: [UInt8], count: Int)], failing: Bool, attempts: Int)>(([], false, 0))
    private let refusalState = Mutex<SinkError?>(nil)
    private let poisonState = Mutex<(marker: String, error: SinkError)?>(nil)
    private let hook = Mutex<(@Sendable () -> Void)?>(nil)

    func insert(_ rows: [UInt8], rowCount: Int) throws {
        hook.withLock { $0 }?()
        let refusal = refusal
        let poison = poison
        try state.withLock { state in
            state.attempts += 1
            if state.failing { throw refusal ?? Failure() }
            if let poison, String(decoding: rows, as: UTF8.self).contains(poison.marker) { throw poison.error }
            state.inserts.append((rows, rowCount))
        }
    }

    /// Called at the start of every insert (a health check completing while the insert runs).
    var duringInsert: (@Sendable () -> Void)? {
        get { hook.withLock { $0 } }
        set { hook.withLock { $0 = newValue } }
    }

    var poison: (marker: String, error: SinkError)? {
        get { poisonState.withLock { $0 } }
        set { poisonState.withLock { $0 = newValue } }
    }

    /// The event ids written, in insert order.
    var writtenIDs: [String] {
        lines.compactMap { line in
            line.split(separator: "\"").dropFirst(3).first.map(String.init)
        }
    }

    var refusal: SinkError? {
        get { refusalState.withLock { $0 } }
        set { refusalState.withLock { $0 = newValue } }
    }

    var failing: Bool {
        get { state.withLock { $0.failing } }
        set { state.withLock { $0.failing = newValue } }
    }

    var attempts: Int { state.withLock { $0.attempts } }
    var rowCounts: [Int] { state.withLock { $0.inserts.map(\.count) } }
    var lines: [String] {
        state.withLock { state in
            state.inserts.flatMap { String(decoding: $0.rows, as: UTF8.self).split(separator: "\n").map(String.init) }
        }
    }
}

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)

    var now: ContinuousClock.Instant { instant.withLock { $0 } }

    func advance(by duration: Duration) {
        instant.withLock { $0 = $0 + duration }
    }
}

extension Disposition {
    /// True for a copy published elsewhere (a retry queue or the DLQ) before the ack.
    var isRepublish: Bool {
        if case .republish = self { return true }
        return false
    }

    /// The queue a republished copy goes to (the default exchange routes by queue name), nil otherwise.
    var republishedTo: String? {
        if case .republish(let message) = self { return message.routingKey }
        return nil
    }
}
