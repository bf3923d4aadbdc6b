import EventCore
import Foundation

/// Start-up work on the spool directory: create it, lock it, and bring every segment back to whole records.
enum SpoolRecovery {
    static let lockFileName = "LOCK"

    /// Takes an exclusive `flock` on `DIR/LOCK`, so two processes never append to one spool. The returned
    /// descriptor holds the lock until it is closed.
    static func lock(_ directory: String, file: String = lockFileName) throws(SpoolError) -> Int32 {
        if file.contains("/") {
            try createDirectory(directory + "/" + (file as NSString).deletingLastPathComponent)
        }
        let path = directory + "/" + file
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SpoolFileOps.failure("open", path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw SpoolError(
                code: .locked,
                message: "another process holds \(path); give each gateway its own SPOOL_DIR, and run one spool "
                    + "replay at a time"
            )
        }
        return fd
    }

    static func createDirectory(_ directory: String) throws(SpoolError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SpoolError(
                code: .io,
                message: "cannot create the spool directory \(directory); check SPOOL_DIR",
                cause: error
            )
        }
    }

    /// Scans every segment, oldest first (resynchronising past damage: see `SpoolRecord.scan`). Damage inside a
    /// segment is reported and a copy kept (`SpoolDamage`); a damaged tail is cut off (truncate); segments left
    /// without records are removed. Returns the segments that hold records, all sealed, with the spool time of
    /// their oldest record after `cursor`, and the highest segment id seen.
    static func recover(
        _ directory: String,
        cursor: ReplayCursor?,
        logger: Logger,
        metrics: SpoolMetrics
    ) throws(SpoolError)
        -> (segments: [SpoolSegment], highestID: UInt64)
    {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw SpoolError(code: .io, message: "cannot list the spool directory \(directory)", cause: error)
        }
        let ids = names.compactMap(SpoolSegment.id(fromFileName:)).sorted()
        var segments: [SpoolSegment] = []
        for id in ids {
            let path = directory + "/" + SpoolSegment.fileName(id)
            let bytes = try SpoolFileOps.readAll(path)
            let scan = SpoolRecord.scan(bytes)
            var kept = scan.inner
            if let tail = scan.tail, !SpoolDamage.isTornWrite(tail, in: bytes) {
                kept.append(tail)
            }
            SpoolDamage.keep(kept, bytes: bytes, segment: id, directory: directory, logger: logger, metrics: metrics)
            if let tail = scan.tail {
                metrics.tailsCut.increment()
                logger.warning(
                    "spool segment has a damaged tail; cutting it off",
                    [
                        "spool.segment": "\(SpoolSegment.fileName(id))", "spool.damage": "\(tail.reason)",
                        "spool.records_kept": .int(scan.records.count), "spool.bytes_cut": .int(tail.length),
                    ]
                )
                try SpoolFileOps.truncate(path, to: scan.validEnd)
            }
            if scan.records.isEmpty {
                try SpoolFileOps.remove(path)
                continue
            }
            let start = cursor?.segment == id ? cursor?.offset ?? 0 : 0
            let oldest = scan.records.first { $0.end > start }.map { record in
                spooledAtMillis(bytes[record.payload]) ?? SpoolFileOps.modificationMillis(path) ?? Spool.nowMillis()
            }
            segments.append(SpoolSegment(id: id, bytes: scan.validEnd, sealed: true, oldestMillis: oldest))
        }
        try SpoolFileOps.syncDirectory(directory)
        return (segments, ids.last ?? 0)
    }

    /// The record's spool time, nil for a version 1 record (or one that does not decode).
    static func spooledAtMillis(_ payload: ArraySlice<UInt8>) -> UInt64? {
        do {
            return try SpoolBatchCodec.peek(payload).spooledAtMillis
        } catch {
            return nil
        }
    }

    static func loadCursor(_ directory: String) throws(SpoolError) -> ReplayCursor? {
        let path = directory + "/" + ReplayCursor.fileName
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return ReplayCursor(bytes: try SpoolFileOps.readAll(path))
    }
}
