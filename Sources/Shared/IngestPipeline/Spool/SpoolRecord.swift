/// One record on disk: `length` (UInt32 little-endian, payload bytes), `crc` (UInt32 little-endian, CRC-32 of the
/// four length bytes followed by the payload), then the payload. A segment file is records back to back.
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

    /// The whole records of a segment's bytes, and where the readable part ends.
    struct Scan: Sendable {
        var records: [Location] = []
        /// Offset just past the last whole record; bytes beyond it are damage to cut off.
        var validEnd = 0
        /// Why the bytes at `validEnd` are not a record (nil when the scan reached the end cleanly).
        var damage: String?
    }

    /// Reads records from the start of `bytes` until the end or the first damaged record.
    static func scan(_ bytes: [UInt8]) -> Scan {
        var scan = Scan()
        var offset = 0
        while offset < bytes.count {
            let remaining = bytes.count - offset
            guard remaining >= headerBytes else {
                scan.damage = "a torn record header (\(remaining) of \(headerBytes) bytes)"
                break
            }
            let length = Int(UInt32(littleEndianBytes: bytes[offset..<offset + 4]))
            let stored = UInt32(littleEndianBytes: bytes[offset + 4..<offset + 8])
            guard length > 0, length <= maxPayloadBytes else {
                scan.damage = "an impossible record length \(length)"
                break
            }
            guard length <= remaining - headerBytes else {
                scan.damage = "a torn record (\(remaining - headerBytes) of \(length) payload bytes)"
                break
            }
            let payload = offset + headerBytes..<offset + headerBytes + length
            let computed = CRC32.checksum(bytes[payload], continuing: CRC32.checksum(bytes[offset..<offset + 4]))
            guard computed == stored else {
                scan.damage = "a record whose checksum does not match"
                break
            }
            scan.records.append(Location(start: offset, payload: payload))
            offset = payload.upperBound
        }
        scan.validEnd = offset
        return scan
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
