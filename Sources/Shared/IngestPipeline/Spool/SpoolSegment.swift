/// One segment file as the spool's shared state knows it.
struct SpoolSegment: Sendable, Equatable {
    var id: UInt64
    /// Bytes made durable (fsynced); the replayer never reads past them.
    var bytes: Int
    /// True once no more records will be appended (every segment found at start-up is sealed).
    var sealed: Bool
    /// When the oldest record not yet replayed was spooled (milliseconds since the Unix epoch); for a segment of
    /// format version 1, which kept no record times, the file's modification time. Nil while it holds no record.
    var oldestMillis: UInt64? = nil

    static let prefix = "segment-"
    static let suffix = ".wal"

    /// `segment-00000000000000000042.wal`: zero-padded, so names sort like ids.
    static func fileName(_ id: UInt64) -> String {
        let digits = String(id)
        return prefix + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + suffix
    }

    static func id(fromFileName name: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
        guard digits.count == 20, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        return UInt64(digits)
    }
}

/// Replay progress: every record of `segment` that ends at or before `offset` was confirmed by the broker, and
/// every older segment is gone. Losing it only means records are published again (at-least-once).
struct ReplayCursor: Sendable, Equatable {
    var segment: UInt64
    var offset: Int

    static let fileName = "replay.cursor"

    /// 8 bytes segment, 8 bytes offset, then the CRC-32 of those 16 bytes.
    var bytes: [UInt8] {
        var writer = SpoolByteWriter()
        writer.uint64(segment)
        writer.uint64(UInt64(offset))
        return writer.bytes + CRC32.checksum(writer.bytes).littleEndianBytes
    }

    /// Nil when `bytes` are not a cursor this build wrote (then replay starts at the oldest segment's start).
    init?(bytes: [UInt8]) {
        guard bytes.count == 20,
            CRC32.checksum(bytes[0..<16]) == UInt32(littleEndianBytes: bytes[16..<20])
        else { return nil }
        func word(_ at: Int) -> UInt64 {
            UInt64(UInt32(littleEndianBytes: bytes[at..<at + 4]))
                | UInt64(UInt32(littleEndianBytes: bytes[at + 4..<at + 8])) << 32
        }
        guard word(8) <= UInt64(Int.max) else { return nil }
        self.init(segment: word(0), offset: Int(word(8)))
    }

    init(segment: UInt64, offset: Int) {
        self.segment = segment
        self.offset = offset
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
