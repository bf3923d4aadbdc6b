import AMQPClient

/// One decoded spool record.
struct SpoolBatch: Sendable, Equatable {
    var messages: [OutgoingMessage]
    /// The payload format version it was written in.
    var version: UInt8
    /// When it was spooled (milliseconds since the Unix epoch); nil for version 1, which did not record it.
    var spooledAtMillis: UInt64?
}
