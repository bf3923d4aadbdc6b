import EventCore
import Foundation

/// What the spool does with damage found inside a segment (bytes that are not whole, checksummed records):
/// it keeps a copy of the segment as it was in `SPOOL_DIR/damaged/`, reports every damaged run once (a log line
/// with the segment, offset and bytes skipped; `eventgrpc_spool_damaged_*` counters), and replays every valid
/// record around it.
enum SpoolDamage {
    /// The folder, inside the spool directory, of copies of damaged segments (kept for inspection, never read
    /// by the replayer; delete them by hand once examined).
    static let folder = "damaged"

    /// Whether `tail` is what a crash in the middle of a write leaves (a short record, or zeros the file system
    /// allocated but never filled), which is cut off without keeping a copy.
    static func isTornWrite(_ tail: SpoolRecord.Damage, in bytes: [UInt8]) -> Bool {
        tail.reason.hasPrefix("a torn record") || bytes[tail.offset..<tail.end].allSatisfy { $0 == 0 }
    }

    /// Keeps a copy of segment `id` (its `bytes` as read) and reports `damages`, once per segment: when the copy
    /// exists already, this damage was reported when it was made.
    static func keep(
        _ damages: [SpoolRecord.Damage],
        bytes: [UInt8],
        segment id: UInt64,
        directory: String,
        logger: Logger,
        metrics: SpoolMetrics
    ) {
        guard !damages.isEmpty else { return }
        let copy = directory + "/" + folder + "/" + SpoolSegment.fileName(id)
        guard !FileManager.default.fileExists(atPath: copy) else { return }
        for damage in damages {
            metrics.damagedRuns.increment()
            metrics.damagedBytes.increment(by: damage.length)
            logger.error(
                "spool segment damaged; skipping to the next valid record",
                [
                    "spool.segment": "\(SpoolSegment.fileName(id))", "spool.offset": "\(damage.offset)",
                    "spool.bytes_skipped": "\(damage.length)", "spool.damage": "\(damage.reason)",
                    "spool.copy": "\(copy)",
                ]
            )
        }
        do {
            try SpoolRecovery.createDirectory(directory + "/" + folder)
            try SpoolFileOps.writeDurably(copy, bytes)
        } catch {
            logger.error("cannot keep a copy of the damaged spool segment", .error(error))
        }
    }
}
