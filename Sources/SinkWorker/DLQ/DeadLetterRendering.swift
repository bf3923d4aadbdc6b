import AMQPClient
import Foundation
import SinkPipeline

/// How the `dlq` commands show a message: a text block for people, or one JSON object per line for tools.
enum DeadLetterRendering {
    static func describe(_ delivery: Delivery, index: Int, options: DeadLetterOptions) -> String {
        let shown = options.full ? delivery.body[...] : delivery.body.prefix(DeadLetterOptions.previewBytes)
        let cut = shown.count < delivery.body.count
        let body = String(decoding: shown, as: UTF8.self)
        switch options.output {
        case .json:
            return json([
                "index": index, "message_id": delivery.messageID as Any? ?? NSNull(),
                "reason_class": header(delivery, DeadLetterHeaders.reasonClass) ?? NSNull(),
                "reason": header(delivery, DeadLetterHeaders.reason) ?? NSNull(),
                "retries": DeadLetterHeaders.retryCount(in: delivery.headers),
                "origin_queue": header(delivery, DeadLetterHeaders.originQueue) ?? NSNull(),
                "dead_lettered_at": header(delivery, DeadLetterHeaders.deadLetteredAt) ?? NSNull(),
                "body_bytes": delivery.body.count, "body": body, "body_truncated": cut,
            ])
        case .text:
            func text(_ name: String) -> String { header(delivery, name) ?? "-" }
            return """
                #\(index) message_id=\(delivery.messageID ?? "-") class=\(text(DeadLetterHeaders.reasonClass)) \
                retries=\(text(DeadLetterHeaders.retryCount)) origin=\(text(DeadLetterHeaders.originQueue)) \
                at=\(text(DeadLetterHeaders.deadLetteredAt))
                  reason: \(text(DeadLetterHeaders.reason))
                  body (\(delivery.body.count) bytes): \
                \(options.full ? body : body.replacingOccurrences(of: "\n", with: "\\n"))\(cut ? "…" : "")
                """
        }
    }

    /// A header as text: strings as they are, integers in decimal, anything else described; nil when absent.
    static func header(_ delivery: Delivery, _ name: String) -> String? {
        switch delivery.headers[name] {
        case .string(let text): text
        case .int64(let value): String(value)
        case nil: nil
        case let other?: "\(other)"
        }
    }

    /// One JSON object on one line, keys sorted.
    static func json(_ object: [String: Any]) -> String {
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: object,
                options: [.sortedKeys, .withoutEscapingSlashes]
            )
        else {
            preconditionFailure("dlq output holds only strings, numbers, booleans and null")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
