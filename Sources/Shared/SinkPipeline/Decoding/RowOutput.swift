/// Appends JSON text to a byte buffer: the JSONEachRow rows, and the JSON object held in the `attributes` column
/// (a JSON string whose content is JSON text, so its strings are escaped twice).
enum RowOutput {
    @inline(__always)
    static func raw(_ text: StaticString, to output: inout [UInt8]) {
        output.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Bytes `range` of `source`, as they are.
    @inline(__always)
    static func raw(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, to output: inout [UInt8]) {
        output.append(contentsOf: UnsafeBufferPointer(rebasing: source[range]))
    }

    /// Decimal digits, written without an intermediate `String`.
    static func decimal(_ value: Int64, to output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        if magnitude < 10 {
            output.append(UInt8(ascii: "0") + UInt8(magnitude))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var index = 20
            repeat {
                index -= 1
                digits[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[index...]))
        }
    }

    /// UTF-8 text as JSON string content (no quotes), with RFC 8259 escaping; `twice` escapes the result again,
    /// for a string inside the JSON text that the `attributes` column holds.
    static func escaped(_ text: UnsafeBufferPointer<UInt8>, twice: Bool, to output: inout [UInt8]) {
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""): twice ? raw(#"\\\""#, to: &output) : raw(#"\""#, to: &output)
            case UInt8(ascii: "\\"): twice ? raw(#"\\\\"#, to: &output) : raw(#"\\"#, to: &output)
            case 0x0A: twice ? raw(#"\\n"#, to: &output) : raw(#"\n"#, to: &output)
            case 0x0D: twice ? raw(#"\\r"#, to: &output) : raw(#"\r"#, to: &output)
            case 0x09: twice ? raw(#"\\t"#, to: &output) : raw(#"\t"#, to: &output)
            case 0..<0x20:
                twice ? raw(#"\\u00"#, to: &output) : raw(#"\u00"#, to: &output)
                output.append(hexDigit(byte >> 4))
                output.append(hexDigit(byte & 0x0F))
            default: output.append(byte)
            }
        }
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// `text` as a JSON string, quotes included.
    static func string(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { escaped($0, twice: false, to: &output) }
        output.append(UInt8(ascii: "\""))
    }
}
