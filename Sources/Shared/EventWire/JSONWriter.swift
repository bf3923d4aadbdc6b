/// Appends JSON tokens to a byte buffer; no intermediate objects, for the publish hot path. The small methods
/// are inlinable: called across modules for every token of every event, their calls cost more than their work.
public struct JSONWriter {
    @usableFromInline var storage: [UInt8] = []

    public var bytes: [UInt8] { storage }

    /// The bytes written, in storage at most an eighth larger than they are: copied once when the capacity
    /// reserved up front was far off. For buffers that are kept (a queued call's part waits for its publish round),
    /// whose bounds count bytes written, not bytes reserved.
    public var compactBytes: [UInt8] {
        guard storage.capacity - storage.count > storage.count / 8 else { return storage }
        return storage.withUnsafeBufferPointer { written in
            Array(unsafeUninitializedCapacity: written.count) { buffer, count in
                count = buffer.initialize(fromContentsOf: written)
            }
        }
    }

    public init(capacity: Int = 512) {
        storage.reserveCapacity(capacity)
    }

    @inlinable
    public mutating func raw(_ text: StaticString) {
        storage.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inlinable
    public mutating func key(_ name: StaticString) {
        raw("\"")
        raw(name)
        raw("\":")
    }

    @inlinable
    public mutating func comma() {
        storage.append(UInt8(ascii: ","))
    }

    /// Decimal digits written straight into the buffer (no intermediate `String`: this runs for every timestamp).
    @inlinable
    public mutating func int(_ value: Int64) {
        if value < 0 { storage.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes: room for 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[31 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            storage.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(32 - count)...]))
        }
    }

    /// Finite doubles only (the validator refuses others); always with a fraction or exponent so that a
    /// reader can tell it from an integer.
    public mutating func double(_ value: Double) {
        var text = "\(value)"
        if !text.contains(".") && !text.contains("e") && !text.contains("E") { text += ".0" }
        storage.append(contentsOf: text.utf8)
    }

    @inlinable
    public mutating func bool(_ value: Bool) {
        raw(value ? "true" : "false")
    }

    /// A JSON string with RFC 8259 escaping.
    public mutating func string(_ value: String) {
        storage.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                escape(byte)
            } else {
                storage.append(byte)
            }
        }
        storage.append(UInt8(ascii: "\""))
    }

    /// The escape sequence of a byte that JSON strings cannot hold as it is (a quote, a backslash, a control).
    @usableFromInline
    mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): raw("\\\"")
        case UInt8(ascii: "\\"): raw("\\\\")
        case 0x0A: raw("\\n")
        case 0x0D: raw("\\r")
        case 0x09: raw("\\t")
        default:
            raw("\\u00")
            storage.append(Self.hex[Int(byte >> 4)])
            storage.append(Self.hex[Int(byte & 0x0F)])
        }
    }

    @inlinable
    public mutating func append(byte: UInt8) {
        storage.append(byte)
    }

    /// Bytes that are already JSON (a fragment written earlier), copied as they are.
    @inlinable
    public mutating func append(_ buffer: UnsafeBufferPointer<UInt8>) {
        storage.append(contentsOf: buffer)
    }

    /// Bytes that are already JSON (a fragment written earlier), copied as they are.
    @inlinable
    public mutating func append(_ fragment: [UInt8]) {
        storage.append(contentsOf: fragment)
    }

    @usableFromInline static let hex = Array("0123456789abcdef".utf8)
}
