import EventCore
import Foundation

/// Start-up work on the spool directory: create it, lock it, and bring every segment back to whole records.
enum SpoolRecovery {
    static let lockFileName = "LOCK"

    /// Takes an exclusive `flock` on `DIR/LOCK`, so two processes never append to one spool. The returned
    /// descriptor holds the lock until it is closed.
    static func lock(_ directory: String) throws(SpoolError) -> Int32 {
        let path = directory + "/" + lockFileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SpoolFileOps.failure("open", path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw SpoolError(
                code: .locked,
                message: "another process uses the spool directory \(directory); give each gateway its own SPOOL_DIR"
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

    /// Scans every segment, oldest first; cuts a torn or corrupt tail off (truncate) and removes segments left
    /// without records. Returns the segments that hold records, all sealed, and the highest segment id seen.
    static func recover(
        _ directory: String,
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
            if let damage = scan.damage {
                metrics.tailsCut.increment()
                logger.warning(
                    "spool segment has a damaged tail; cutting it off",
                    [
                        "spool.segment": "\(SpoolSegment.fileName(id))", "spool.damage": "\(damage)",
                        "spool.records_kept": .int(scan.records.count),
                        "spool.bytes_cut": .int(bytes.count - scan.validEnd),
                    ]
                )
                try SpoolFileOps.truncate(path, to: scan.validEnd)
            }
            if scan.records.isEmpty {
                try SpoolFileOps.remove(path)
                continue
            }
            segments.append(SpoolSegment(id: id, bytes: scan.validEnd, sealed: true))
        }
        try SpoolFileOps.syncDirectory(directory)
        return (segments, ids.last ?? 0)
    }

    static func loadCursor(_ directory: String) throws(SpoolError) -> ReplayCursor? {
        let path = directory + "/" + ReplayCursor.fileName
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return ReplayCursor(bytes: try SpoolFileOps.readAll(path))
    }
}
