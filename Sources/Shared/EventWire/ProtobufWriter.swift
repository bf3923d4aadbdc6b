/// Whether a field is written when it holds its type's default value.
enum FieldPresence: Sendable {
    /// Plain proto3 fields: the default (0, "", false, +0.0, empty) is not written.
    case implicit
    /// Oneof members: a set member is written even when it holds the default, as protoc does.
    case explicit
}

/// Writes protobuf wire data. Messages call its field methods in field-number order, as protoc does, so the
/// output is byte for byte what protoc produces for the same values.
struct ProtobufWriter<Sink: ProtobufSink> {
    var sink: Sink

    mutating func writeVarint(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            sink.append(byte: UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        sink.append(byte: UInt8(remaining))
    }

    mutating func writeTag(field: Int, _ wireType: WireType) {
        writeVarint(FieldTag(fieldNumber: field, wireType: wireType).encoded)
    }

    mutating func write(_ value: String, field: Int, presence: FieldPresence = .implicit) {
        guard presence == .explicit || !value.isEmpty else { return }
        writeTag(field: field, .lengthDelimited)
        writeVarint(UInt64(value.utf8.count))
        sink.append(utf8: value)
    }

    /// `int64`, and `int32` or enum values widened to 64 bits (negative ones take 10 bytes, as protoc writes them).
    mutating func write(_ value: Int64, field: Int, presence: FieldPresence = .implicit) {
        guard presence == .explicit || value != 0 else { return }
        writeTag(field: field, .varint)
        writeVarint(UInt64(bitPattern: value))
    }

    mutating func write(_ value: Bool, field: Int, presence: FieldPresence = .implicit) {
        guard presence == .explicit || value else { return }
        writeTag(field: field, .varint)
        sink.append(byte: value ? 1 : 0)
    }

    /// The implicit default is +0.0 only: -0.0 is written, as protoc compares bit patterns.
    mutating func write(_ value: Double, field: Int, presence: FieldPresence = .implicit) {
        guard presence == .explicit || value.bitPattern != 0 else { return }
        writeTag(field: field, .fixed64)
        sink.append(fixed64: value.bitPattern)
    }

    /// A `repeated int64` field, packed as protoc writes proto3 repeated scalars; nothing when empty.
    mutating func writePacked(_ values: [Int64], field: Int) {
        guard !values.isEmpty else { return }
        writeTag(field: field, .lengthDelimited)
        writeVarint(UInt64(values.reduce(0) { $0 + Self.varintSize(UInt64(bitPattern: $1)) }))
        for value in values { writeVarint(UInt64(bitPattern: value)) }
    }

    /// An embedded message. Implicit presence (the only kind our Swift types can express) leaves out a message
    /// whose fields are all default, since it encodes to no bytes.
    mutating func write(_ message: some ProtobufCodable, field: Int, presence: FieldPresence = .implicit) {
        let size = message.encodedSize
        guard presence == .explicit || size > 0 else { return }
        writeTag(field: field, .lengthDelimited)
        writeVarint(UInt64(size))
        message.write(to: &self)
    }

    static func varintSize(_ value: UInt64) -> Int {
        value == 0 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
    }
}
