public import AMQPClient
public import EventCore
import Foundation

/// The gateway's write-ahead log: batches the broker could not confirm are appended here, fsynced, and later
/// republished by `SpoolReplayer` (promise P1).
///
/// Segment files `segment-<20 digits>.wal` in `configuration.directory` hold framed records (`SpoolRecord`),
/// one per batch. One writer thread owns the active segment and commits in groups: it takes every append waiting
/// in its queue, writes them with one `write` per segment, makes them durable with one `fsync` (plus a directory
/// fsync when it created the segment), and only then resumes their callers. Opening the spool cuts off a torn or
/// corrupt tail left by a crash and locks the directory against a second process.
public final class Spool: Sendable {
    let configuration: SpoolConfiguration
    let metrics: SpoolMetrics
    let logger: Logger
    let owner: ThreadOwner<SpoolShared>
    let lockDescriptor: Int32

    /// Creates and locks the directory and recovers its segments (synchronously: call at start-up).
    public init(configuration: SpoolConfiguration, metrics: SpoolMetrics, logger: Logger) throws(SpoolError) {
        let logger = logger.with(["spool.dir": "\(configuration.directory)"])
        try SpoolRecovery.createDirectory(configuration.directory)
        let lock = try SpoolRecovery.lock(configuration.directory)
        let segments: [SpoolSegment]
        let nextID: UInt64
        do {
            let cursor = try SpoolRecovery.loadCursor(configuration.directory)
            let recovered = try SpoolRecovery.recover(
                configuration.directory,
                cursor: cursor,
                logger: logger,
                metrics: metrics
            )
            segments = recovered.segments
            // Ids never repeat, so a cursor left by a crash can never point into a newer segment of the same id.
            nextID = max(recovered.highestID, cursor?.segment ?? 0) + 1
        } catch {
            close(lock)
            throw error
        }
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        lockDescriptor = lock
        owner = ThreadOwner(SpoolShared(segments: segments, nextSegmentID: nextID))
        publishStatus()
        logger.info(
            "spool opened",
            ["spool.segments": .int(segments.count), "spool.bytes": .integer(segments.reduce(0) { $0 + $1.bytes })]
        )
    }

    public var status: SpoolStatus {
        owner.withLock { SpoolStatus(bytes: $0.totalBytes, segments: $0.segments.count) }
    }

    /// Appends `messages` as one record and returns once it is durable (fsynced).
    ///
    /// Throws `SpoolError` `full` (SPOOL_MAX_BYTES reached), `recordTooLarge`, `io`, or `closed` after `shutdown()`.
    public func append(_ messages: [OutgoingMessage]) async throws {
        let now = Self.nowMillis()
        let payload = SpoolBatchCodec.encode(messages, spooledAtMillis: now)
        guard payload.count <= SpoolRecord.maxPayloadBytes else {
            metrics.appendsRefused.increment()
            throw SpoolError(
                code: .recordTooLarge,
                message: "a batch of \(payload.count) bytes exceeds the spool's record limit "
                    + "(\(SpoolRecord.maxPayloadBytes) bytes); send smaller batches"
            )
        }
        let record = SpoolRecord.frame(payload)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            submit(.append(record: record, spooledAtMillis: now, continuation: continuation))
        }
    }

    /// Seals the active segment (if it holds records) once every append queued before this call is written.
    func seal() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            submit(.seal(continuation: continuation))
        }
    }

    private func submit(_ command: SpoolCommand) {
        let accepted = owner.update { state -> Bool in
            guard state.acceptsWork else { return false }
            state.pending.append(command)
            return true
        }
        if !accepted {
            command.fail(SpoolError(code: .closed, message: "the spool is shut down; it takes no more batches"))
        }
    }

    func publishStatus() {
        let (status, oldest) = owner.withLock { state in
            (
                SpoolStatus(bytes: state.totalBytes, segments: state.segments.count),
                state.segments.first(where: { $0.bytes > 0 })?.oldestMillis
            )
        }
        metrics.bytes.set(status.bytes)
        metrics.segments.set(status.segments)
        metrics.oldestRecord.set(millis: status.isEmpty ? nil : oldest)
    }

    /// Milliseconds since the Unix epoch, the spool's clock for record times.
    static func nowMillis() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1000))
    }

    func path(of id: UInt64) -> String {
        configuration.directory + "/" + SpoolSegment.fileName(id)
    }
}

extension SpoolCommand {
    func fail(_ error: SpoolError) {
        switch self {
        case .append(_, _, let continuation), .seal(let continuation):
            continuation.resume(throwing: error)
        }
    }
}
