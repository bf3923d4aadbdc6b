/// The rows of one broker message for the event table (`EventTable.columns`), as JSONEachRow, decoded and
/// rendered in one pass over the body's bytes (`MessageDecoder`), and the events that could not become rows.
///
/// A message that is not an event envelope throws `decode`; one without events, or whose every event is refused,
/// throws `badRow` (the whole message goes to the dead-letter queue). Otherwise the good events are rows and the
/// refused ones are in `rejected`, re-wrapped in a message of their own for the dead-letter queue.
///
/// An event is refused when it has no id, no type (and the message no routing key), no positive timestamp, a
/// timestamp later than a `DateTime` holds, a value out of the Int64 range, or a string that is not valid UTF-8
/// (a raw control character, a bad escape, a lone surrogate); every event of a call is refused when the call's
/// header holds such a value or its `receivedAt` is out of range. What is read, and the defaults for what is
/// missing, follow the first release's decoder: numbers written as strings, a missing `type` is the routing key, a
/// missing `originalTimestamp` the timestamp, a missing `receivedAt` the delivery's time, a value of another kind
/// than expected is absent.
public struct MessageRows: Sendable {
    /// JSONEachRow, one line per good event.
    public var bytes: [UInt8]
    /// The number of rows in `bytes`.
    public var count: Int
    /// The refused events, when some were.
    public var rejected: RejectedEvents?

    /// Decodes `body`, a message received on `routingKey`, into rows that carry `messageID`, the write time
    /// `writtenAtSeconds`, and `deliveredAtMilliseconds` as the receive time of calls that carry none.
    public init(
        body: [UInt8],
        routingKey: String,
        messageID: String,
        deliveredAtMilliseconds: Int64,
        writtenAtSeconds: Int64
    ) throws(SinkError) {
        typealias Decoded = (
            rows: [UInt8], rowCount: Int, eventCount: Int, rejections: [MessageDecoder.Rejection], callsShape: Bool
        )
        let result: Result<Decoded, JSONSyntaxError> = body.withUnsafeBufferPointer { bytes in
            var decoder = MessageDecoder(
                bytes: bytes,
                routingKey: routingKey,
                messageID: messageID,
                deliveredAtMilliseconds: deliveredAtMilliseconds,
                writtenAtSeconds: writtenAtSeconds
            )
            do throws(JSONSyntaxError) {
                try decoder.decode()
            } catch {
                return .failure(error)
            }
            // The decoder points into `body`: only what it produced leaves this closure.
            return .success(
                (decoder.rows, decoder.rowCount, decoder.eventCount, decoder.rejections, decoder.isCallsShape)
            )
        }
        let decoded: Decoded
        switch result {
        case .success(let value): decoded = value
        case .failure(let error):
            throw SinkError(.decode, "\(error.message) (byte \(error.offset) of \(body.count))", cause: error)
        }
        guard decoded.eventCount > 0 else { throw SinkError(.badRow, "the message has no events") }
        bytes = decoded.rows
        count = decoded.rowCount
        rejected =
            decoded.rejections.isEmpty
            ? nil
            : RejectedEvents(
                decoded.rejections,
                of: decoded.eventCount,
                in: body,
                callsShape: decoded.callsShape
            )
        if count == 0, let rejected { throw SinkError(.badRow, rejected.summary) }
    }
}
