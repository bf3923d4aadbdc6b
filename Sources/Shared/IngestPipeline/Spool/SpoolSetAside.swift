/// Records taken out of the replay: those the broker refused (basic.nack, or returned as unroutable) and those
/// that do not decode. They are written, in the segment format (framed records, so the same reader reads them),
/// to files in `SPOOL_DIR/set-aside/`, made durable before the replay moves past them, and replayed later by
/// `IngestGateway spool replay --dir SPOOL_DIR`.
enum SpoolSetAside {
    static let folder = "set-aside"

    /// Why records were set aside; the first part of the file's name.
    enum Reason: String, Sendable, CaseIterable {
        /// The broker refused the messages (nack or return); they replay once the broker takes them.
        case refused
        /// The record's payload does not decode (a format this build does not read); kept for inspection.
        case undecodable
    }

    /// `refused-<segment id, 20 digits>-<offset>.wal`: where in the spool the round started, so a round
    /// replayed again after a crash rewrites the same file instead of adding a duplicate.
    static func fileName(_ reason: Reason, segment: UInt64, offset: Int) -> String {
        let digits = String(segment)
        return "\(reason.rawValue)-\(String(repeating: "0", count: max(0, 20 - digits.count)))\(digits)-\(offset).wal"
    }

    /// Writes `payloads` as records of one new durable file; returns its path.
    @discardableResult
    static func write(
        _ payloads: [[UInt8]],
        reason: Reason,
        segment: UInt64,
        offset: Int,
        directory: String
    ) throws(SpoolError) -> String {
        let folder = directory + "/" + Self.folder
        try SpoolRecovery.createDirectory(folder)
        let path = folder + "/" + fileName(reason, segment: segment, offset: offset)
        try SpoolFileOps.writeDurably(path, payloads.flatMap(SpoolRecord.frame))
        return path
    }
}
