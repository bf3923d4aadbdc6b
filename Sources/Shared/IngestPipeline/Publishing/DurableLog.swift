public import AMQPClient

/// A local log that makes a batch durable before it is acknowledged (the spool, or a fake in tests).
///
/// `append` returns once the batch is on disk (fsynced); it throws `SpoolError` with `full` when the log has no
/// room, and any other error when the write failed.
public protocol DurableLog: Sendable {
    func append(_ messages: [OutgoingMessage]) async throws
}

extension Spool: DurableLog {}
