/// Appends the spool payload's primitive values: little-endian integers, length-prefixed strings and bytes.
struct SpoolByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func uint32(_ value: UInt32) {
        bytes += value.littleEndianBytes
    }

    mutating func uint64(_ value: UInt64) {
        uint32(UInt32(truncatingIfNeeded: value))
        uint32(UInt32(truncatingIfNeeded: value >> 32))
    }

    mutating func data(_ value: some Collection<UInt8>) {
        uint32(UInt32(value.count))
        bytes += value
    }

    mutating func string(_ value: String) {
        data(value.utf8)
    }
}

/// Reads what `SpoolByteWriter` wrote; every read checks bounds and throws `corruptRecord` past the end.
struct SpoolByteReader {
    private let bytes: ArraySlice<UInt8>
    private var offset: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        offset = bytes.startIndex
    }

    var isAtEnd: Bool { offset == bytes.endIndex }

    mutating func byte() throws(SpoolError) -> UInt8 {
        try take(1)[offset - 1]
    }

    mutating func uint32() throws(SpoolError) -> UInt32 {
        UInt32(littleEndianBytes: try take(4))
    }

    mutating func uint64() throws(SpoolError) -> UInt64 {
        let low = UInt64(try uint32())
        return low | UInt64(try uint32()) << 32
    }

    mutating func data() throws(SpoolError) -> ArraySlice<UInt8> {
        try take(Int(try uint32()))
    }

    mutating func string() throws(SpoolError) -> String {
        let raw = try data()
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw SpoolError.corrupt("a string that is not UTF-8")
        }
        return text
    }

    private mutating func take(_ count: Int) throws(SpoolError) -> ArraySlice<UInt8> {
        guard count <= bytes.endIndex - offset else {
            throw SpoolError.corrupt("\(count) bytes wanted, \(bytes.endIndex - offset) left")
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }
}

extension SpoolError {
    static func corrupt(_ detail: String) -> SpoolError {
        SpoolError(
            code: .corruptRecord,
            message: "a spool record does not decode (\(detail)); the segment is kept aside for inspection"
        )
    }
}
