import AMQPClient
import EventCore
import Foundation
import Synchronization
import Testing

@testable import IngestPipeline

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporarySpoolDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("spool-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            Issue.record("cannot remove the test spool \(path): \(error)")
        }
    }

    /// Segment file names, sorted.
    func segmentFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).filter { SpoolSegment.id(fromFileName: $0) != nil }
            .sorted()
    }
}

enum SpoolFixtures {
    static let quiet = Logger(label: "spool-test", minimumLevel: .critical)

    /// A batch of `count` messages whose ids start with `tag`.
    static func batch(_ tag: String, count: Int = 2, bodyBytes: Int = 40) -> [OutgoingMessage] {
        (0..<count).map { index in
            OutgoingMessage(
                exchange: "events",
                routingKey: "app.event\(index)",
                body: Array(repeating: UInt8(ascii: "x"), count: bodyBytes),
                messageID: "\(tag)-\(index)",
                headers: ["x-index": .int64(Int64(index))]
            )
        }
    }

    static func openSpool(
        _ directory: TemporarySpoolDirectory,
        maxBytes: Int = 1 << 30,
        segmentBytes: Int = 16 << 20,
        beforeSync: (@Sendable (Int) -> Void)? = nil,
        registry: MetricsRegistry = MetricsRegistry()
    ) throws -> Spool {
        let spool = try Spool(
            configuration: SpoolConfiguration(
                directory: directory.path,
                maxBytes: maxBytes,
                segmentBytes: segmentBytes,
                beforeSync: beforeSync
            ),
            metrics: SpoolMetrics(registry: registry),
            logger: quiet
        )
        spool.start()
        return spool
    }

    static func close(_ spool: Spool) async {
        spool.shutdown()
        await spool.waitUntilStopped()
    }
}

/// Everything an `OutgoingMessage` carries, comparable.
struct MessageFields: Equatable {
    var exchange, routingKey, messageID, contentType: String
    var body: [UInt8]
    var headers: AMQPTable
    var persistent, mandatory: Bool

    init(_ message: OutgoingMessage) {
        exchange = message.exchange
        routingKey = message.routingKey
        messageID = message.messageID
        contentType = message.contentType
        body = message.body
        headers = message.headers
        persistent = message.persistent
        mandatory = message.mandatory
    }
}

/// A publisher stand-in for the replayer: records what it confirmed; fails its first `failFirst` calls, and
/// every call after `succeedOnly` successful ones; nacks every call holding a message whose id is in `refusing`.
final class RecordingPublisher: Sendable {
    private struct State {
        var published: [String] = []
        var failuresLeft: Int
        var successesLeft: Int
        var calls = 0
        var refusing: Set<String>
        var refusal: AMQPError.Code
    }

    private let state: Mutex<State>

    /// `refusal` is how the broker refuses: `publishNacked` (a full queue) or `publishReturned` (unroutable).
    init(
        failFirst failures: Int = 0,
        succeedOnly successes: Int = .max,
        refusing: Set<String> = [],
        refusal: AMQPError.Code = .publishNacked
    ) {
        state = Mutex(
            State(failuresLeft: failures, successesLeft: successes, refusing: refusing, refusal: refusal)
        )
    }

    /// Stops refusing (the broker's policy was lifted).
    func acceptEverything() {
        state.withLock { $0.refusing = [] }
    }

    var publishedIDs: [String] { state.withLock { $0.published } }
    var calls: Int { state.withLock { $0.calls } }

    func publish(_ messages: [OutgoingMessage]) throws {
        try state.withLock { state in
            state.calls += 1
            guard state.failuresLeft == 0, state.successesLeft > 0 else {
                state.failuresLeft = max(0, state.failuresLeft - 1)
                throw AMQPError(code: .connectionClosed, message: "test: the broker went away")
            }
            if messages.contains(where: { state.refusing.contains($0.messageID) }) {
                throw AMQPError(code: state.refusal, message: "test: the broker refused a message")
            }
            state.successesLeft -= 1
            state.published += messages.map(\.messageID)
        }
    }
}

/// Polls `condition` every 10 ms for up to `seconds`; the result says whether it held (no timing is asserted).
func eventually(_ seconds: Double = 10, _ condition: () -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}
