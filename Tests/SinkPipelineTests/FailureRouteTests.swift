import AMQPClient
import EventTopology
import Foundation
import Testing

@testable import SinkPipeline

@Suite struct FailureRouteTests {
    static let queue = Topology.Queue(
        name: "app.q",
        bindings: ["#"],
        consumers: 1,
        prefetch: 1,
        sink: .direct,
        table: "t",
        retry: RetryPolicy(delaysMilliseconds: [1000, 5000])
    )
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func delivery(retries: AMQPFieldValue? = nil, messageID: String? = "m-1") -> Delivery {
        var headers: AMQPTable = ["trace": "abc"]
        headers[DeadLetterHeaders.retryCount] = retries
        return Delivery(
            body: Array("{}".utf8),
            exchange: "events",
            routingKey: "app.click",
            messageID: messageID,
            contentType: "application/json",
            headers: headers,
            redelivered: false,
            deliveryTag: 7
        )
    }

    @Test(arguments: [SinkFailure.decode, .badRow])
    func undecodableAndBadRowsGoToTheDLQAtOnce(failure: SinkFailure) {
        let route = FailureRoute(
            delivery: Self.delivery(),
            queue: Self.queue,
            failure: failure,
            reason: "broken",
            now: Self.now
        )
        #expect(route.destination == .deadLetter)
        #expect(route.message.exchange == "")
        #expect(route.message.routingKey == "app.q.dlq")
        #expect(route.message.expiration == nil)
        #expect(route.message.headers[DeadLetterHeaders.reason] == "broken")
        #expect(route.message.headers[DeadLetterHeaders.reasonClass] == .string(failure.rawValue))
        #expect(route.message.headers[DeadLetterHeaders.originQueue] == "app.q")
        #expect(route.message.headers[DeadLetterHeaders.deadLetteredAt] == "2023-11-14T22:13:20Z")
        #expect(route.message.headers[DeadLetterHeaders.retryCount] == 0)
    }

    /// Hostile or foreign `x-retry-count` values never trap the worker: a huge count means no retries left, and what
    /// is not a non-negative integer counts as none.
    @Test(arguments: [
        (AMQPFieldValue.int64(.max), false), (.string("9223372036854775807"), false),
        (.string("99999999999999999999999"), false), (.int64(-5), true), (.string("-1"), true), (.string("2.5"), true),
        (.double(1.5), true), (.string("lots"), true), (.bool(true), true),
    ])
    func hostileRetryCountsNeverTrap(header: AMQPFieldValue, retriesLeft: Bool) {
        let route = FailureRoute(
            delivery: Self.delivery(retries: header),
            queue: Self.queue,
            failure: .insert,
            reason: "refused",
            now: Self.now
        )
        if retriesLeft {
            #expect(route.destination == .retry(number: 1, delay: .seconds(1)))
        } else {
            #expect(route.destination == .deadLetter)
            #expect(
                route.message.headers[DeadLetterHeaders.retryCount]
                    == .int64(Int64(DeadLetterHeaders.maximumRetryCount))
            )
        }
    }

    @Test func failedInsertsRetryWithGrowingDelaysThenDeadLetter() {
        let first = FailureRoute(delivery: Self.delivery(), queue: Self.queue, failure: .insert, reason: "404")
        #expect(first.destination == .retry(number: 1, delay: .seconds(1)))
        #expect(first.message.routingKey == "app.q.retry.1")
        #expect(first.message.expiration == .seconds(1))
        #expect(first.message.headers[DeadLetterHeaders.retryCount] == 1)
        #expect(first.message.headers[DeadLetterHeaders.reason] == nil)

        let second = FailureRoute(
            delivery: Self.delivery(retries: 1),
            queue: Self.queue,
            failure: .insert,
            reason: "404"
        )
        #expect(second.destination == .retry(number: 2, delay: .seconds(5)))
        #expect(second.message.routingKey == "app.q.retry.2")
        #expect(second.message.headers[DeadLetterHeaders.retryCount] == 2)

        let last = FailureRoute(
            delivery: Self.delivery(retries: 2),
            queue: Self.queue,
            failure: .insert,
            reason: "Table t doesn't exist"
        )
        #expect(last.destination == .deadLetter)
        #expect(last.message.routingKey == "app.q.dlq")
        #expect(last.message.headers[DeadLetterHeaders.retryCount] == 2)
        #expect(last.message.headers[DeadLetterHeaders.reason] == "Table t doesn't exist")
        #expect(last.message.headers[DeadLetterHeaders.reasonClass] == "insert")
    }

    @Test func theCopyKeepsBodyIdContentTypeAndOriginalHeaders() {
        let route = FailureRoute(delivery: Self.delivery(), queue: Self.queue, failure: .insert, reason: "x")
        #expect(route.message.body == Array("{}".utf8))
        #expect(route.message.messageID == "m-1")
        #expect(route.message.contentType == "application/json")
        #expect(route.message.persistent)
        #expect(route.message.mandatory)
        #expect(route.message.headers["trace"] == "abc")
    }

    @Test func aMessageWithoutIdGetsOneAndAnOddRetryCountIsRead() {
        let route = FailureRoute(
            delivery: Self.delivery(retries: "1", messageID: nil),
            queue: Self.queue,
            failure: .insert,
            reason: "x"
        )
        #expect(!route.message.messageID.isEmpty)
        #expect(route.destination == .retry(number: 2, delay: .seconds(5)))
        #expect(DeadLetterHeaders.retryCount(in: [DeadLetterHeaders.retryCount: -4]) == 0)
        #expect(DeadLetterHeaders.retryCount(in: [DeadLetterHeaders.retryCount: "many"]) == 0)
        #expect(DeadLetterHeaders.retryCount(in: [DeadLetterHeaders.retryCount: .bool(true)]) == 0)
    }

    @Test func longReasonsAreBounded() {
        let reason = String(repeating: "é", count: 5000)
        let route = FailureRoute(delivery: Self.delivery(), queue: Self.queue, failure: .decode, reason: reason)
        let kept = route.message.headers[DeadLetterHeaders.reason]?.stringValue ?? ""
        #expect(kept.count == DeadLetterHeaders.maximumReasonLength)
        #expect(kept.hasSuffix("…"))
    }

    @Test func aReplayCopyResetsTheRetryCountAndDropsTheDeadLetterHeaders() {
        let dead = FailureRoute(
            delivery: Self.delivery(retries: 2),
            queue: Self.queue,
            failure: .insert,
            reason: "x",
            now: Self.now
        )
        var inDLQ = Self.delivery()
        inDLQ.headers = dead.message.headers
        let copy = DeadLetterHeaders.replayCopy(of: inDLQ, to: "app.q")
        #expect(copy.exchange == "")
        #expect(copy.routingKey == "app.q")
        #expect(copy.headers == ["trace": "abc"])
        #expect(copy.messageID == "m-1")
        #expect(copy.body == inDLQ.body)
        #expect(copy.expiration == nil)
    }
}
