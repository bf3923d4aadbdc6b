/// Protobuf encoding of ranges of a request, as `ProtobufWriter` writes the same values.
struct CanonicalBytes {
    var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func varint(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    mutating func tag(field: Int, wireType: WireType) {
        varint(FieldTag(fieldNumber: field, wireType: wireType).encoded)
    }

    mutating func string(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, field: Int, always: Bool = false) {
        guard always || !range.isEmpty else { return }
        tag(field: field, wireType: .lengthDelimited)
        varint(UInt64(range.count))
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[range]))
    }

    mutating func int64(_ value: Int64, field: Int, always: Bool = false) {
        guard always || value != 0 else { return }
        tag(field: field, wireType: .varint)
        varint(UInt64(bitPattern: value))
    }

    static func varintSize(_ value: UInt64) -> Int {
        value == 0 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
    }
}
