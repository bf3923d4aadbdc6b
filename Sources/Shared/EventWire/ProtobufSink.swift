/// Where `ProtobufWriter` puts bytes: a byte array, or a counter that computes a message's size without
/// writing it (embedded messages need their length before their bytes).
protocol ProtobufSink {
    mutating func append(byte: UInt8)
    mutating func append(fixed64 value: UInt64)
    mutating func append(utf8 string: String)
}

/// Collects the encoded bytes.
struct ByteSink: ProtobufSink {
    var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func append(byte: UInt8) { bytes.append(byte) }

    mutating func append(fixed64 value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(utf8 string: String) { bytes.append(contentsOf: string.utf8) }
}

/// Counts the bytes an encoding would take.
struct SizeSink: ProtobufSink {
    var count = 0

    mutating func append(byte: UInt8) { count += 1 }
    mutating func append(fixed64 value: UInt64) { count += 8 }
    mutating func append(utf8 string: String) { count += string.utf8.count }
}
