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

/// Records inserts; fails while `failing` is set (with `refusal` when set, as ClickHouse refusing the insert).
final class FakeRowWriter: RowWriter, Sendable {
    struct Failure: Error {}
    private let state = Mutex<(inserts: [(rows: [UInt8], count: Int)], failing: Bool, attempts: Int)>(([], false, 0))
    private let refusalState = Mutex<SinkError?>(nil)

    func insert(_ rows: [UInt8], rowCount: Int) throws {
        let refusal = refusal
        try state.withLock { state in
            state.attempts += 1
            if state.failing { throw refusal ?? Failure() }
            state.inserts.append((rows, rowCount))
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
