/// Reads protobuf wire data from a borrowed buffer, without copying it or allocating per byte.
///
/// A reader only lives inside `ProtobufReader.read(_:_:)`, which lends it the caller's bytes; it must not escape
/// that call. Every read checks `index` against `end` before touching memory, and no length is trusted before the
/// bytes behind it are known to exist, so no input can make it read out of bounds or allocate more than the input
/// holds.
struct ProtobufReader {
    /// How deep messages and groups may nest (protobuf's own default recursion limit).
    static let maximumDepth = 100
    /// The largest length prefix accepted: protobuf messages are limited to 2 GiB.
    static let maximumLength = Int(Int32.max)

    private let buffer: UnsafeBufferPointer<UInt8>
    var index: Int
    private let end: Int
    var depth: Int
    /// The tag read by the last `nextTag()`: what `skipField()` skips and which field errors name.
    var currentTag: FieldTag?

    private init(buffer: UnsafeBufferPointer<UInt8>, range: Range<Int>, depth: Int, tag: FieldTag?) {
        self.buffer = buffer
        self.index = range.lowerBound
        self.end = range.upperBound
        self.depth = depth
        self.currentTag = tag
    }

    /// Runs `body` with a reader over `bytes`.
    static func read<R>(
        _ bytes: ArraySlice<UInt8>,
        _ body: (inout ProtobufReader) throws(WireError) -> R
    ) throws(WireError) -> R {
        try bytes.withUnsafeBufferPointer { (buffer) throws(WireError) -> R in
            var reader = ProtobufReader(buffer: buffer, range: 0..<buffer.count, depth: 0, tag: nil)
            return try body(&reader)
        }
    }

    var isAtEnd: Bool { index >= end }

    /// Reads the next field's tag, or returns nil at the end of the message.
    mutating func nextTag() throws(WireError) -> FieldTag? {
        guard index < end else { return nil }
        currentTag = nil
        let raw = try readVarint()
        guard raw <= UInt32.max, raw >> 3 != 0 else {
            throw failure(.invalidFieldNumber, "a tag names field number \(raw >> 3), outside 1...2^29-1")
        }
        let fieldNumber = Int(raw >> 3)
        guard let wireType = WireType(rawValue: UInt8(raw & 7)) else {
            throw WireError(
                code: .invalidWireType,
                message: "field \(fieldNumber) has wire type \(raw & 7), which does not exist;"
                    + " the bytes are not a protobuf message",
                fieldNumber: fieldNumber
            )
        }
        let tag = FieldTag(fieldNumber: fieldNumber, wireType: wireType)
        currentTag = tag
        return tag
    }

    /// Reads a base-128 varint of at most 10 bytes whose value fits in 64 bits.
    mutating func readVarint() throws(WireError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < end else { throw truncated("a varint") }
            let byte = buffer[index]
            index += 1
            if shift == 63, byte > 1 {
                throw failure(.malformedVarint, "a varint is longer than 10 bytes or exceeds 64 bits")
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    mutating func readInt64() throws(WireError) -> Int64 { Int64(bitPattern: try readVarint()) }

    /// `int32` and enums: sent as sign-extended 64-bit varints, truncated to 32 bits as protoc does.
    mutating func readInt32() throws(WireError) -> Int32 { Int32(truncatingIfNeeded: try readVarint()) }

    mutating func readBool() throws(WireError) -> Bool { try readVarint() != 0 }

    mutating func readFixed64() throws(WireError) -> UInt64 {
        try require(8, "a fixed64 value")
        let value = UnsafeRawBufferPointer(buffer).loadUnaligned(fromByteOffset: index, as: UInt64.self)
        index += 8
        return UInt64(littleEndian: value)
    }

    mutating func readFixed32() throws(WireError) -> UInt32 {
        try require(4, "a fixed32 value")
        let value = UnsafeRawBufferPointer(buffer).loadUnaligned(fromByteOffset: index, as: UInt32.self)
        index += 4
        return UInt32(littleEndian: value)
    }

    mutating func readDouble() throws(WireError) -> Double { Double(bitPattern: try readFixed64()) }

    /// Reads a length prefix and returns the range of the bytes it covers, moving past them.
    mutating func readLengthDelimited() throws(WireError) -> Range<Int> {
        let length = try readVarint()
        guard length <= UInt64(Self.maximumLength) else {
            throw failure(.lengthOverflow, "a length prefix of \(length) bytes exceeds the 2 GiB protobuf limit")
        }
        try require(Int(length), "a length-delimited value of \(length) bytes")
        defer { index += Int(length) }
        return index..<(index + Int(length))
    }

    /// The bytes of `range` (from `readLengthDelimited()`), valid only inside `read(_:_:)`.
    func bytes(in range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: buffer[range])
    }

    /// A reader over `range`, one level deeper, for an embedded message or a packed field.
    func subreader(for range: Range<Int>) throws(WireError) -> ProtobufReader {
        guard depth < Self.maximumDepth else {
            throw failure(.nestingTooDeep, "messages nest deeper than \(Self.maximumDepth) levels")
        }
        return ProtobufReader(buffer: buffer, range: range, depth: depth + 1, tag: currentTag)
    }

    /// `what` is formatted only when the bytes are missing: building it for every field was a fifth of the
    /// gateway's CPU time under load.
    mutating func require(_ count: Int, _ what: @autoclosure () -> String) throws(WireError) {
        guard count <= end - index else { throw truncated(what()) }
    }

    func truncated(_ what: String) -> WireError {
        failure(.truncated, "the input ends inside \(what); send the complete protobuf-encoded message")
    }

    func failure(_ code: WireError.Code, _ message: String) -> WireError {
        WireError(code: code, message: message, fieldNumber: currentTag?.fieldNumber)
    }
}
