import AMQPClient

/// The payload of one spool record: the broker messages of one batch, in order, and when it was spooled.
///
/// The first byte is the payload's format version; this build writes version 2 and reads 1 and 2.
/// - Version 2: `2`, the time the batch was spooled (UInt64, milliseconds since the Unix epoch), then the
///   messages as in version 1.
/// - Version 1 (builds before spool format versions were named; no spool time): `1`, message count, then per
///   message exchange, routing key, message id, content type (length-prefixed UTF-8), a flags byte (bit 0
///   persistent, bit 1 mandatory), the body (length-prefixed) and the headers table (see `SpoolByteWriter.table`).
enum SpoolBatchCodec {
    /// The version this build writes.
    static let version: UInt8 = 2
    /// Every version this build reads.
    static let readableVersions: ClosedRange<UInt8> = 1...2

    static func encode(_ messages: [OutgoingMessage], spooledAtMillis: UInt64) -> [UInt8] {
        var writer = SpoolByteWriter()
        writer.byte(version)
        writer.uint64(spooledAtMillis)
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

    /// The payload's version and spool time without decoding its messages (nil time for version 1).
    static func peek(_ payload: ArraySlice<UInt8>) throws(SpoolError) -> (version: UInt8, spooledAtMillis: UInt64?) {
        var reader = SpoolByteReader(payload)
        let found = try reader.byte()
        switch found {
        case 1: return (1, nil)
        case 2: return (2, try reader.uint64())
        default:
            throw SpoolError.corrupt("payload version \(found), this build reads versions \(readableVersions)")
        }
    }

    static func decode(_ payload: ArraySlice<UInt8>) throws(SpoolError) -> SpoolBatch {
        let (found, spooledAt) = try peek(payload)
        var reader = SpoolByteReader(payload.dropFirst(found == 1 ? 1 : 9))
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
        return SpoolBatch(messages: messages, version: found, spooledAtMillis: spooledAt)
    }
}
