import AMQPClient

/// The payload of one spool record: the broker messages of one batch, in order.
///
/// Version 1: `version` byte, message count, then per message exchange, routing key, message id, content type
/// (length-prefixed UTF-8), a flags byte (bit 0 persistent, bit 1 mandatory), the body (length-prefixed) and
/// the headers table (see `SpoolByteWriter.table`).
enum SpoolBatchCodec {
    static let version: UInt8 = 1

    static func encode(_ messages: [OutgoingMessage]) -> [UInt8] {
        var writer = SpoolByteWriter()
        writer.byte(version)
        writer.uint32(UInt32(messages.count))
        for message in messages {
            writer.string(message.exchange)
            writer.string(message.routingKey)
            writer.string(message.messageID)
            writer.string(message.contentType)
            writer.byte((message.persistent ? 1 : 0) | (message.mandatory ? 2 : 0))
            writer.data(message.body)
            writer.table(message.headers)
        }
        return writer.bytes
    }

    static func decode(_ payload: ArraySlice<UInt8>) throws(SpoolError) -> [OutgoingMessage] {
        var reader = SpoolByteReader(payload)
        let found = try reader.byte()
        guard found == version else {
            throw SpoolError.corrupt("payload version \(found), this build reads \(version)")
        }
        let count = Int(try reader.uint32())
        var messages: [OutgoingMessage] = []
        for _ in 0..<count {
            let exchange = try reader.string()
            let routingKey = try reader.string()
            let messageID = try reader.string()
            let contentType = try reader.string()
            let flags = try reader.byte()
            let body = Array(try reader.data())
            let headers = try reader.table(depth: 0)
            messages.append(
                OutgoingMessage(
                    exchange: exchange,
                    routingKey: routingKey,
                    body: body,
                    messageID: messageID,
                    contentType: contentType,
                    headers: headers,
                    persistent: flags & 1 != 0,
                    mandatory: flags & 2 != 0
                )
            )
        }
        guard reader.isAtEnd else {
            throw SpoolError.corrupt("bytes left after \(count) messages")
        }
        return messages
    }
}
