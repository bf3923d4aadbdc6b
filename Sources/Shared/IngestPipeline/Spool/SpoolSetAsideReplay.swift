public import EventCore
import Foundation

/// `IngestGateway spool replay`: republishes what the spool set aside (`set-aside/refused-*.wal`, and whole
/// segments an older build renamed `*.quarantined`) with confirms. A file whose every message the broker
/// confirmed is deleted; one with messages refused again is rewritten with only those (durably, before anything
/// is deleted), so running it again later retries exactly what is left. Undecodable records and copies of
/// damaged segments are never replayed (they are reported by `spool inspect`).
///
/// It works beside a running gateway: the gateway only ever creates new set-aside files, and a lock file
/// (`set-aside/LOCK`) keeps two replays apart.
public struct SpoolSetAsideReplay: Sendable {
    /// What a run did.
    public struct Outcome: Sendable, Equatable {
        /// Messages the broker confirmed.
        public var replayed = 0
        /// Messages the broker refused again (still set aside).
        public var refusedAgain = 0
        /// Files deleted because everything in them was confirmed.
        public var filesEmptied = 0
        /// Set-aside files left (refused again, undecodable records, or damage).
        public var filesLeft: [String] = []
    }

    let directory: String
    let logger: Logger
    let publish: SpoolReplayer.Publish
    let maxMessagesPerRound: Int

    /// `publish` must return only once the broker confirmed every message (throwing `AMQPError` `publishNacked`
    /// or `publishReturned` when it refuses one).
    public init(
        directory: String,
        logger: Logger,
        maxMessagesPerRound: Int = 500,
        publish: @escaping SpoolReplayer.Publish
    ) {
        self.directory = directory
        self.logger = logger
        self.maxMessagesPerRound = maxMessagesPerRound
        self.publish = publish
    }

    /// Replays every set-aside file. Throws when the broker cannot be reached (or stops confirming) or a file
    /// cannot be read or written: what was not confirmed stays in its file.
    public func run() async throws -> Outcome {
        // Listed first: a directory that does not exist is refused before the lock would create it.
        let quarantined = try SpoolDirectory.files(directory).filter { $0.role == .quarantined }.map(\.path)
        let lock = try SpoolRecovery.lock(directory, file: SpoolSetAside.folder + "/" + SpoolRecovery.lockFileName)
        defer { close(lock) }
        var outcome = Outcome()
        for (path, reason) in try SpoolDirectory.setAside(directory) where reason == .undecodable {
            outcome.filesLeft.append(path)
        }
        let refused = try SpoolDirectory.setAside(directory).filter { $0.reason == .refused }.map(\.path)
        for path in quarantined + refused {
            try await replay(file: path, into: &outcome)
        }
        return outcome
    }

    private func replay(file path: String, into outcome: inout Outcome) async throws {
        let full = directory + "/" + path
        let bytes = try SpoolFileOps.readAll(full)
        let scan = SpoolRecord.scan(bytes)
        var keep: [[UInt8]] = []
        var batches: [SpoolBatch] = []
        for record in scan.records {
            do {
                batches.append(try SpoolBatchCodec.decode(bytes[record.payload]))
            } catch {
                keep.append(Array(bytes[record.payload]))
            }
        }
        var refused: [SpoolBatch] = []
        var round: [SpoolBatch] = []
        var inRound = 0
        for batch in batches {
            if !round.isEmpty && inRound + batch.messages.count > maxMessagesPerRound {
                refused += try await SpoolRoundPublisher.publish(round, with: publish)
                round = []
                inRound = 0
            }
            round.append(batch)
            inRound += batch.messages.count
        }
        refused += try await SpoolRoundPublisher.publish(round, with: publish)
        let refusedCount = refused.reduce(0) { $0 + $1.messages.count }
        outcome.replayed += batches.reduce(0) { $0 + $1.messages.count } - refusedCount
        outcome.refusedAgain += refusedCount
        keep += refused.map { SpoolBatchCodec.encode($0.messages, spooledAtMillis: $0.spooledAtMillis ?? 0) }
        if keep.isEmpty && scan.damages.isEmpty {
            try SpoolFileOps.remove(full)
            try SpoolFileOps.syncDirectory((full as NSString).deletingLastPathComponent)
            outcome.filesEmptied += 1
            logger.notice("set-aside file replayed and deleted", ["spool.file": "\(path)"])
            return
        }
        if keep.count != scan.records.count || !scan.damages.isEmpty {
            try SpoolFileOps.writeDurably(full, keep.flatMap(SpoolRecord.frame))
        }
        outcome.filesLeft.append(path)
        logger.warning(
            "set-aside file still holds records the broker refused again or that cannot be replayed",
            ["spool.file": "\(path)", "spool.refused_again": .int(refusedCount), "spool.records": .int(keep.count)]
        )
    }
}
