/// One record on disk: `length` (UInt32 little-endian, payload bytes), `crc` (UInt32 little-endian, CRC-32 of the
/// four length bytes followed by the payload), then the payload. A segment file is records back to back.
///
/// The framing has no version of its own; the payload's first byte is its format version (`SpoolBatchCodec`).
enum SpoolRecord {
    static let headerBytes = 8
    /// A payload longer than this is refused on append and treated as damage when scanning (a corrupt length).
    static let maxPayloadBytes = 256 << 20

    /// The framed bytes of `payload`.
    static func frame(_ payload: [UInt8]) -> [UInt8] {
        let length = UInt32(payload.count).littleEndianBytes
        let crc = CRC32.checksum(payload, continuing: CRC32.checksum(length))
        return length + crc.littleEndianBytes + payload
    }

    /// Where one whole record lies in a segment.
    struct Location: Equatable, Sendable {
        /// Offset of the record's first header byte.
        var start: Int
        /// The payload's byte range.
        var payload: Range<Int>
        /// Offset just past the record (the next record's start).
        var end: Int { payload.upperBound }
    }

    /// A run of bytes that holds no whole record: from a record header that does not check out up to the next
    /// valid record (or the end of the bytes).
    struct Damage: Equatable, Sendable {
        /// Offset of the first damaged byte (where a record was expected).
        var offset: Int
        /// Bytes skipped before the next valid record (or the end).
        var length: Int
        /// Why the bytes at `offset` are not a record.
        var reason: String

        var end: Int { offset + length }
    }

    /// The whole records of a segment's bytes and the damaged runs between them.
    struct Scan: Sendable {
        var records: [Location] = []
        var damages: [Damage] = []
        /// The number of bytes scanned.
        var size = 0
        /// Offset just past the last whole record (0 when there is none); bytes beyond it are a damaged tail.
        var validEnd: Int { records.last?.end ?? 0 }
        /// The damage that runs to the end of the bytes with no record after it (a torn write), if any.
        var tail: Damage? {
            guard let last = damages.last, last.end == size, last.offset >= validEnd else { return nil }
            return last
        }
        /// Damage followed by at least one valid record: bytes a crash cannot explain, skipped on replay.
        var inner: [Damage] { damages.filter { $0 != tail } }
    }

    /// Reads every record of `bytes`. At a record that does not check out (impossible length, torn, checksum
    /// mismatch) it resynchronises: it looks at each following offset for a header with a possible length whose
    /// checksum matches, and goes on from there; the bytes in between are one `Damage`.
    static func scan(_ bytes: [UInt8]) -> Scan {
        var scan = Scan()
        scan.size = bytes.count
        var offset = 0
        while offset < bytes.count {
            switch probe(bytes, at: offset) {
            case .record(let location):
                scan.records.append(location)
                offset = location.end
            case .damaged(let reason):
                var next = offset + 1
                while next < bytes.count, case .damaged = probe(bytes, at: next) {
                    next += 1
                }
                scan.damages.append(Damage(offset: offset, length: next - offset, reason: reason))
                offset = next
            }
        }
        return scan
    }

    private enum Probe {
        case record(Location)
        case damaged(String)
    }

    /// Whether a whole, checksummed record starts at `offset`.
    private static func probe(_ bytes: [UInt8], at offset: Int) -> Probe {
        let remaining = bytes.count - offset
        guard remaining >= headerBytes else {
            return .damaged("a torn record header (\(remaining) of \(headerBytes) bytes)")
        }
        let length = Int(UInt32(littleEndianBytes: bytes[offset..<offset + 4]))
        guard length > 0, length <= maxPayloadBytes else {
            return .damaged("an impossible record length \(length)")
        }
        guard length <= remaining - headerBytes else {
            return .damaged("a torn record (\(remaining - headerBytes) of \(length) payload bytes)")
        }
        let stored = UInt32(littleEndianBytes: bytes[offset + 4..<offset + 8])
        let payload = offset + headerBytes..<offset + headerBytes + length
        let computed = CRC32.checksum(bytes[payload], continuing: CRC32.checksum(bytes[offset..<offset + 4]))
        guard computed == stored else {
            return .damaged("a record whose checksum does not match")
        }
        return .record(Location(start: offset, payload: payload))
    }
}

extension UInt32 {
    var littleEndianBytes: [UInt8] {
        [UInt8(self & 0xFF), UInt8((self >> 8) & 0xFF), UInt8((self >> 16) & 0xFF), UInt8(self >> 24)]
    }

    init(littleEndianBytes bytes: ArraySlice<UInt8>) {
        precondition(bytes.count == 4, "a UInt32 is four bytes")
        self = bytes.reversed().reduce(0) { ($0 << 8) | UInt32($1) }
    }
}
