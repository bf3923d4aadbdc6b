public import AMQPClient
public import EventTopology
public import Foundation

/// Why a sink could not write a message; a bounded label for metrics and the `x-dlq-reason-class` header.
public enum SinkFailure: String, Sendable, CaseIterable {
    /// The body is not an event envelope (invalid JSON, wrong shape): retrying cannot help.
    case decode
    /// A row misses a required field or the message has no rows: retrying cannot help.
    case badRow = "bad_row"
    /// ClickHouse refused the insert: worth retrying (a schema being fixed, a transient server error).
    case insert
}

/// Where a delivery that failed goes next, and the copy to publish there (promise P2: the original is acked
/// only after the copy is confirmed, see `Disposition.republish`).
///
/// An insert failure with retries left goes to `Q.retry.n` (n = retries so far + 1) with the policy's delay as
/// its per-message TTL and `x-retry-count` = n; the broker returns it to `Q` on expiry. Everything else goes to
/// `Q.dlq` at once with the reason, the origin queue, the time and the retry count. Body, message id, content type
/// and the original headers are kept; the copy is persistent.
public struct FailureRoute: Sendable, Equatable {
    public enum Destination: Sendable, Equatable {
        case retry(number: Int, delay: Duration)
        case deadLetter
    }

    public var destination: Destination
    public var message: OutgoingMessage

    /// The content type given to a copy whose original had none.
    public static let unknownContentType = "application/octet-stream"

    public init(
        delivery: Delivery,
        queue: Topology.Queue,
        failure: SinkFailure,
        reason: String,
        now: Date = Date()
    ) {
        self.init(
            delivery: delivery,
            body: delivery.body,
            messageID: delivery.messageID ?? UUID().uuidString,
            queue: queue,
            failure: failure,
            reason: reason,
            now: now
        )
    }

    /// The dead-letter copy of the events of `delivery` that row validation refused while the others were written
    /// (`rejected.body`, reason class `bad_row`), under the message id `<original id>.rejected`; the original's
    /// headers and content type are kept.
    public init(rejected: RejectedEvents, of delivery: Delivery, queue: Topology.Queue, now: Date = Date()) {
        self.init(
            delivery: delivery,
            body: rejected.body,
            messageID: (delivery.messageID ?? UUID().uuidString) + ".rejected",
            queue: queue,
            failure: .badRow,
            reason: SinkError(.badRow, rejected.summary).deadLetterReason,
            now: now
        )
    }

    private init(
        delivery: Delivery,
        body: [UInt8],
        messageID: String,
        queue: Topology.Queue,
        failure: SinkFailure,
        reason: String,
        now: Date
    ) {
        let retries = DeadLetterHeaders.retryCount(in: delivery.headers)
        var headers = delivery.headers
        let routingKey: String
        var expiration: Duration?
        if failure == .insert, let delay = queue.retry.delay(beforeRetry: retries + 1) {
            destination = .retry(number: retries + 1, delay: delay)
            routingKey = queue.retryQueue(retries + 1)
            expiration = delay
            headers[DeadLetterHeaders.retryCount] = .int64(Int64(retries + 1))
        } else {
            destination = .deadLetter
            routingKey = queue.deadLetterQueue
            headers[DeadLetterHeaders.retryCount] = .int64(Int64(retries))
            headers[DeadLetterHeaders.reason] = .string(DeadLetterHeaders.bounded(reason))
            headers[DeadLetterHeaders.reasonClass] = .string(failure.rawValue)
            headers[DeadLetterHeaders.originQueue] = .string(queue.name)
            headers[DeadLetterHeaders.deadLetteredAt] = .string(DeadLetterHeaders.timestamp(now))
        }
        message = OutgoingMessage(
            exchange: "",
            routingKey: routingKey,
            body: body,
            messageID: messageID,
            contentType: delivery.contentType ?? Self.unknownContentType,
            headers: headers,
            expiration: expiration
        )
    }
}
