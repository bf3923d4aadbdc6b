import AMQPClient
import Foundation

/// What `IngestGateway spool inspect` reports: every file of a spool directory that holds records, read without
/// changing anything (the gateway may be running).
public struct SpoolInspection: Sendable, Codable, Equatable {
    /// What a file is to the spool.
    public enum Role: String, Sendable, Codable {
        /// `segment-*.wal`: waiting for the gateway's replayer.
        case segment
        /// `damaged/segment-*.wal`: a copy of a segment in which damage was found, as it was; evidence only (its
        /// valid records were replayed from the segment itself).
        case damagedCopy = "damaged-copy"
        /// `set-aside/refused-*.wal`: messages the broker refused on replay; `spool replay` republishes them.
        case refused
        /// `set-aside/undecodable-*.wal`: records whose payload does not decode; kept for inspection.
        case undecodable
        /// `*.quarantined`: a whole segment an older build set aside; `spool replay` republishes it.
        case quarantined
    }

    /// One record of a file.
    public struct Record: Sendable, Codable, Equatable {
        public var offset: Int
        public var bytes: Int
        /// The payload's format version (nil when it does not decode).
        public var version: Int?
        /// When it was spooled, ISO 8601 (nil for format version 1, which did not keep it).
        public var spooledAt: String?
        /// The earliest and latest gateway receive time of the calls in its messages, ISO 8601 (from the
        /// bodies' `receivedAt`).
        public var receivedFrom: String?
        public var receivedTo: String?
        public var messages: Int
        /// Its messages' routing keys, sorted, without repeats.
        public var routingKeys: [String]
        /// True when the replay cursor is past it (the broker confirmed it; the segment is not deleted yet).
        public var replayed: Bool
        /// Why it does not decode, if it does not.
        public var error: String?
    }

    /// A run of bytes that holds no whole record.
    public struct Damage: Sendable, Codable, Equatable {
        public var offset: Int
        public var bytes: Int
        public var reason: String
    }

    public struct File: Sendable, Codable, Equatable {
        /// Relative to the spool directory.
        public var path: String
        public var role: Role
        public var bytes: Int
        public var records: [Record]
        public var damage: [Damage]
    }

    public var directory: String
    public var files: [File]
    /// Where the replay cursor points (`segment-N.wal` and an offset), if there is one.
    public var cursor: String?

    /// Reads every spool file in `directory`.
    public static func read(_ directory: String) throws(SpoolError) -> SpoolInspection {
        let cursor = try? SpoolRecovery.loadCursor(directory)
        var files: [File] = []
        for (name, role) in try SpoolDirectory.files(directory) {
            let bytes = try SpoolFileOps.readAll(directory + "/" + name)
            let segment = role == .segment ? SpoolSegment.id(fromFileName: name) : nil
            let confirmedUpTo = segment != nil && cursor?.segment == segment ? cursor?.offset ?? 0 : 0
            files.append(inspect(bytes, path: name, role: role, confirmedUpTo: confirmedUpTo))
        }
        return SpoolInspection(
            directory: directory,
            files: files,
            cursor: cursor.map { "\(SpoolSegment.fileName($0.segment)) offset \($0.offset)" }
        )
    }

    static func inspect(_ bytes: [UInt8], path: String, role: Role, confirmedUpTo: Int) -> File {
        let scan = SpoolRecord.scan(bytes)
        let records = scan.records.map { location in
            var record = Record(
                offset: location.start,
                bytes: location.end - location.start,
                messages: 0,
                routingKeys: [],
                replayed: location.end <= confirmedUpTo
            )
            do throws(SpoolError) {
                let batch = try SpoolBatchCodec.decode(bytes[location.payload])
                record.version = Int(batch.version)
                record.spooledAt = batch.spooledAtMillis.map(Self.iso8601)
                record.messages = batch.messages.count
                record.routingKeys = Set(batch.messages.map(\.routingKey)).sorted()
                let received = batch.messages.flatMap { ReceiveTimes.millis(inBody: $0.body) }
                record.receivedFrom = received.min().map(Self.iso8601)
                record.receivedTo = received.max().map(Self.iso8601)
            } catch {
                record.error = error.message
            }
            return record
        }
        let damage = scan.damages.map { Damage(offset: $0.offset, bytes: $0.length, reason: $0.reason) }
        return File(path: path, role: role, bytes: bytes.count, records: records, damage: damage)
    }

    static func iso8601(_ millis: UInt64) -> String {
        let date = Date(timeIntervalSince1970: Double(millis) / 1000)
        return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
