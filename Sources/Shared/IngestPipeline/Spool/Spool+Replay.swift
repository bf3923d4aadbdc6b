import EventCore
import Foundation

/// What the replayer needs from the spool: the oldest segment, its records, and removing it once confirmed.
extension Spool {
    /// The oldest segment that holds records, or nil when nothing waits for replay.
    func oldestSegment() -> SpoolSegment? {
        owner.withLock { $0.segments.first(where: { $0.bytes > 0 }) }
    }

    /// The file's durable bytes and the valid records in them. Damage found among them (the file was damaged
    /// after it was written) is reported and a copy of the segment kept (`SpoolDamage`); the records around it
    /// are returned.
    func records(in segment: SpoolSegment) throws(SpoolError) -> (bytes: [UInt8], records: [SpoolRecord.Location]) {
        let bytes = Array(try SpoolFileOps.readAll(path(of: segment.id)).prefix(segment.bytes))
        var scan = SpoolRecord.scan(bytes)
        if bytes.count < segment.bytes {
            scan.damages.append(
                SpoolRecord.Damage(
                    offset: bytes.count,
                    length: segment.bytes - bytes.count,
                    reason: "the file is shorter than its durable size \(segment.bytes)"
                )
            )
        }
        SpoolDamage.keep(
            scan.damages,
            bytes: bytes,
            segment: segment.id,
            directory: configuration.directory,
            logger: logger,
            metrics: metrics
        )
        return (bytes, scan.records)
    }

    /// Deletes a sealed segment whose every record the broker confirmed (or was set aside).
    func removeSegment(_ id: UInt64) throws(SpoolError) {
        try SpoolFileOps.remove(path(of: id))
        owner.update { state in
            state.segments.removeAll { $0.id == id && $0.sealed }
        }
        publishStatus()
    }

    /// Records that the oldest record of segment `id` not yet replayed was spooled at `millis` (nil: none left).
    func setOldest(_ id: UInt64, millis: UInt64?) {
        owner.update { state in
            if let index = state.segments.firstIndex(where: { $0.id == id }) {
                state.segments[index].oldestMillis = millis
            }
        }
        publishStatus()
    }

    /// The segment file's last write (milliseconds since the Unix epoch), now when it cannot be read.
    func modificationMillis(of id: UInt64) -> UInt64 {
        SpoolFileOps.modificationMillis(path(of: id)) ?? Spool.nowMillis()
    }

    func loadCursor() throws(SpoolError) -> ReplayCursor? {
        try SpoolRecovery.loadCursor(configuration.directory)
    }

    func saveCursor(_ cursor: ReplayCursor) throws(SpoolError) {
        try SpoolFileOps.replace(configuration.directory + "/" + ReplayCursor.fileName, with: cursor.bytes)
    }
}
