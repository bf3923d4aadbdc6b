public import AMQPClient
public import Foundation

/// The headers this system adds when it retries or dead-letters a message, and how replay removes them.
public enum DeadLetterHeaders {
    /// How many delayed retries the message has had (absent means none).
    public static let retryCount = "x-retry-count"
    /// Why the message was dead-lettered: the decode error, the bad row, or ClickHouse's error text.
    public static let reason = "x-dlq-reason"
    /// The bounded class of the reason: `decode`, `bad_row` or `insert` (as in the metrics).
    public static let reasonClass = "x-dlq-reason-class"
    /// The queue the message was consumed from, where replay sends it back.
    public static let originQueue = "x-origin-queue"
    /// When it was dead-lettered, ISO 8601 in UTC.
    public static let deadLetteredAt = "x-dead-lettered-at"

    /// The longest `x-dlq-reason` kept, in characters.
    public static let maximumReasonLength = 1024

    /// The largest retry count read from a message: any publisher may set the header, and counting on from
    /// `Int.max` would trap. Far above any retry policy (`RetryPolicy.maximumRetries`), so such a message simply has
    /// no retries left.
    public static let maximumRetryCount = 1_000_000

    /// The retry count a message carries: a non-negative integer header (or its decimal text) up to
    /// `maximumRetryCount`, else 0 (a negative number, a float, other text).
    public static func retryCount(in headers: AMQPTable) -> Int {
        let count: Int64
        switch headers[Self.retryCount] {
        case .int64(let value): count = value
        case .string(let text):
            let allDigits = !text.isEmpty && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
            count = Int64(text) ?? (allDigits ? .max : 0)
        default: count = 0
        }
        return Int(min(max(0, count), Int64(maximumRetryCount)))
    }

    /// The reason, cut to `maximumReasonLength` characters (an ellipsis marks the cut).
    public static func bounded(_ reason: String) -> String {
        guard reason.count > maximumReasonLength else { return reason }
        return String(reason.prefix(maximumReasonLength - 1)) + "…"
    }

    /// `date` as ISO 8601 in UTC with whole seconds, for example `2024-01-02T03:04:05Z`.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(secondsFromGMT: 0)!))
    }

    /// The copy that `dlq replay` publishes: same body, id and content type, sent to `originQueue` through the
    /// default exchange, with the retry count reset and the dead-letter headers removed (other headers kept).
    public static func replayCopy(of delivery: Delivery, to originQueue: String) -> OutgoingMessage {
        var headers = delivery.headers
        for name in [Self.retryCount, Self.reason, Self.reasonClass, Self.originQueue, Self.deadLetteredAt] {
            headers[name] = nil
        }
        return OutgoingMessage(
            exchange: "",
            routingKey: originQueue,
            body: delivery.body,
            messageID: delivery.messageID ?? UUID().uuidString,
            contentType: delivery.contentType ?? FailureRoute.unknownContentType,
            headers: headers
        )
    }
}
