import Testing

@testable import AMQPClient

@Suite("AMQP confirm tracker")
struct AMQPConfirmTrackerTests {
    typealias Tracker = ConfirmTracker<String>

    /// Tracks `counts[call]` messages per call, in the given order, with message ids `call-i`.
    private func tracker(_ calls: [(String, Int)]) -> Tracker {
        var tracker = Tracker()
        for (call, count) in calls {
            for index in 0..<count {
                tracker.track(call: call, messageID: "\(call)-\(index)", exchange: "x", routingKey: "k")
            }
        }
        return tracker
    }

    @Test func tagsStartAtOneAndIncrease() {
        var tracker = Tracker()
        let result1 = tracker.track(call: "a", messageID: "1", exchange: "x", routingKey: "k")
        #expect(result1 == 1)
        let result2 = tracker.track(call: "b", messageID: "2", exchange: "x", routingKey: "k")
        #expect(result2 == 2)
        #expect(tracker.nextTag == 3)
    }

    @Test func callCompletesOnlyWhenAllItsMessagesAreAcked() {
        var tracker = tracker([("a", 3)])
        let result3 = tracker.ack(1, multiple: false)
        #expect(result3.isEmpty)
        let result4 = tracker.ack(3, multiple: false)
        #expect(result4.isEmpty)
        let outcomes = tracker.ack(2, multiple: false)
        #expect(outcomes.map(\.0) == ["a"])
        #expect(outcomes.map(\.1) == [.confirmed])
        #expect(!tracker.hasOutstanding)
    }

    @Test func multipleAckSettlesEveryTagUpToIt() {
        var tracker = tracker([("a", 2), ("b", 2), ("c", 2)])
        let outcomes = tracker.ack(4, multiple: true)
        #expect(Set(outcomes.map(\.0)) == ["a", "b"])
        #expect(tracker.pendingCalls == ["c"])
        let result5 = tracker.ack(6, multiple: true)
        #expect(result5.map(\.0) == ["c"])
        #expect(!tracker.hasOutstanding)
    }

    @Test func multipleAckAfterSingleAcksSkipsSettledTags() {
        var tracker = tracker([("a", 1), ("b", 1), ("c", 1)])
        let result6 = tracker.ack(2, multiple: false)
        #expect(result6.map(\.0) == ["b"])
        let result7 = tracker.ack(3, multiple: true)
        #expect(Set(result7.map(\.0)) == ["a", "c"])
        let result8 = tracker.ack(3, multiple: true)
        #expect(result8.isEmpty)
    }

    @Test func nackFailsTheCallAtOnceAndIgnoresItsLaterConfirms() {
        var tracker = tracker([("a", 3), ("b", 1)])
        let outcomes = tracker.nack(1, multiple: false)
        #expect(outcomes.map(\.0) == ["a"])
        #expect(outcomes.map(\.1) == [.nacked])
        let result9 = tracker.ack(4, multiple: true)
        #expect(result9.map(\.0) == ["b"])
        #expect(!tracker.hasOutstanding)
    }

    @Test func multipleNackFailsEveryCallCovered() {
        var tracker = tracker([("a", 1), ("b", 1), ("c", 1)])
        let outcomes = tracker.nack(2, multiple: true)
        #expect(Set(outcomes.map(\.0)) == ["a", "b"])
        #expect(outcomes.allSatisfy { $0.1 == .nacked })
        #expect(tracker.pendingCalls == ["c"])
    }

    @Test func returnBeforeAckFailsTheCallAsReturned() {
        var tracker = tracker([("a", 2), ("b", 1)])
        let result10 = tracker.returned(
            messageID: "a-1",
            exchange: "x",
            routingKey: "k",
            replyCode: 312,
            replyText: "NO_ROUTE"
        )
        #expect(result10)
        let outcomes = tracker.ack(3, multiple: true)
        #expect(outcomes.count == 2)
        #expect(outcomes.first { $0.0 == "a" }?.1 == .returned(replyCode: 312, replyText: "NO_ROUTE"))
        #expect(outcomes.first { $0.0 == "b" }?.1 == .confirmed)
    }

    @Test func returnMatchesTheOldestUnreturnedMessageWithSameCoordinates() {
        var tracker = Tracker()
        tracker.track(call: "a", messageID: "same", exchange: "x", routingKey: "k")
        tracker.track(call: "b", messageID: "same", exchange: "x", routingKey: "k")
        let result11 = tracker.returned(
            messageID: "same",
            exchange: "x",
            routingKey: "k",
            replyCode: 312,
            replyText: "NO_ROUTE"
        )
        #expect(result11)
        let result12 = tracker.ack(1, multiple: false)
        #expect(result12.map(\.1) == [.returned(replyCode: 312, replyText: "NO_ROUTE")])
        let result13 = tracker.ack(2, multiple: false)
        #expect(result13.map(\.1) == [.confirmed])
    }

    @Test(arguments: [
        ("other", "x", "k"),
        ("a-0", "other", "k"),
        ("a-0", "x", "other"),
    ])
    func returnWithUnknownCoordinatesMatchesNothing(messageID: String, exchange: String, routingKey: String) {
        var tracker = tracker([("a", 1)])
        let result14 = tracker.returned(
            messageID: messageID,
            exchange: exchange,
            routingKey: routingKey,
            replyCode: 312,
            replyText: ""
        )
        #expect(!result14)
        let result15 = tracker.ack(1, multiple: false)
        #expect(result15.map(\.1) == [.confirmed])
    }

    @Test func ackOfUnknownTagIsIgnored() {
        var tracker = tracker([("a", 1)])
        let result16 = tracker.ack(7, multiple: false)
        #expect(result16.isEmpty)
        #expect(tracker.hasOutstanding)
    }

    @Test func abandonAllReturnsEveryWaitingCall() {
        var tracker = tracker([("a", 2), ("b", 1)])
        _ = tracker.ack(1, multiple: false)
        let result17 = tracker.abandonAll()
        #expect(Set(result17) == ["a", "b"])
        #expect(!tracker.hasOutstanding)
        let result18 = tracker.ack(3, multiple: true)
        #expect(result18.isEmpty)
    }
}
