import AMQPClient
import Testing

@testable import IngestPipeline

/// The stall decision alone: from the publisher's status and the time, is the broker worth waiting for?
@Suite struct StallDetectorTests {
    static let now = ContinuousClock.now
    static let detector = StallDetector(threshold: .seconds(1))

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var status: PublisherStatus
        var expected: Expected

        enum Expected: Sendable {
            case disconnected
            case stalled(mentioning: String)
            case healthy(recheckAt: ContinuousClock.Instant)
        }

        var description: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "disconnected, even while blocked and owing confirms",
            status: PublisherStatus(isConnected: false, blockedReason: "low on memory", awaitingConfirmSince: now),
            expected: .disconnected
        ),
        Case(
            name: "nothing owed",
            status: PublisherStatus(isConnected: true),
            expected: .healthy(recheckAt: now + .seconds(1))
        ),
        Case(
            name: "owed for half the threshold",
            status: PublisherStatus(isConnected: true, awaitingConfirmSince: now - .milliseconds(500)),
            expected: .healthy(recheckAt: now + .milliseconds(500))
        ),
        Case(
            name: "owed for exactly the threshold",
            status: PublisherStatus(isConnected: true, awaitingConfirmSince: now - .seconds(1)),
            expected: .stalled(mentioning: "sent none for")
        ),
        Case(
            name: "owed for 25 s (frozen)",
            status: PublisherStatus(isConnected: true, awaitingConfirmSince: now - .seconds(25)),
            expected: .stalled(mentioning: "sent none for")
        ),
        Case(
            name: "blocked with nothing owed",
            status: PublisherStatus(isConnected: true, blockedReason: "low on disk"),
            expected: .stalled(mentioning: "connection.blocked: low on disk")
        ),
    ]

    @Test(arguments: cases)
    func decides(_ scenario: Case) {
        let verdict = Self.detector.verdict(scenario.status, at: Self.now)
        switch (scenario.expected, verdict) {
        case (.disconnected, .disconnected):
            break
        case (.healthy(let expected), .healthy(let recheckAt)):
            #expect(recheckAt == expected)
        case (.stalled(let words), .stalled(let reason)):
            #expect(reason.contains(words), "\(reason)")
        default:
            Issue.record("expected \(scenario.expected), got \(verdict)")
        }
    }
}
