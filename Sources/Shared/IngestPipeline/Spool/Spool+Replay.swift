import EventCore
import Foundation

/// What the replayer needs from the spool: the oldest segment, its records, and removing it once confirmed.
extension Spool {
    /// The oldest segment that holds records, or nil when nothing waits for replay.
    func oldestSegment() -> SpoolSegment? {
        owner.withLock { $0.segments.first(where: { $0.bytes > 0 }) }
    }

    /// The file's durable bytes and the records in them. Throws `corruptRecord` when a record inside the durable
    /// part does not check out (the file was damaged after it was written).
    func records(in segment: SpoolSegment) throws(SpoolError) -> (bytes: [UInt8], records: [SpoolRecord.Location]) {
        let bytes = Array(try SpoolFileOps.readAll(path(of: segment.id)).prefix(segment.bytes))
        let scan = SpoolRecord.scan(bytes)
        if let damage = scan.damage {
            throw SpoolError.corrupt("\(damage) at offset \(scan.validEnd) of \(SpoolSegment.fileName(segment.id))")
        }
        guard bytes.count == segment.bytes else {
            throw SpoolError.corrupt("\(SpoolSegment.fileName(segment.id)) is shorter than its durable size")
        }
        return (bytes, scan.records)
    }

    /// Deletes a sealed segment whose every record the broker confirmed.
    func removeSegment(_ id: UInt64) throws(SpoolError) {
        try SpoolFileOps.remove(path(of: id))
        forget(id)
    }

    /// Renames a segment that cannot be replayed to `*.quarantined`, out of the replayer's way, for inspection.
    func quarantineSegment(_ id: UInt64) throws(SpoolError) {
        try SpoolFileOps.rename(path(of: id), to: path(of: id) + ".quarantined")
        forget(id)
        metrics.segmentsQuarantined.increment()
    }

    private func forget(_ id: UInt64) {
        owner.update { state in
            state.segments.removeAll { $0.id == id && $0.sealed }
        }
        publishStatus()
    }

    func loadCursor() throws(SpoolError) -> ReplayCursor? {
        try SpoolRecovery.loadCursor(configuration.directory)
    }

    func saveCursor(_ cursor: ReplayCursor) throws(SpoolError) {
        try SpoolFileOps.replace(configuration.directory + "/" + ReplayCursor.fileName, with: cursor.bytes)
    }
}
