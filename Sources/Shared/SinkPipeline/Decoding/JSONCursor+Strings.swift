/// A JSON string in the body: where its content lies (between the quotes) and whether it can be used as is.
struct JSONString {
    /// Offset of the first content byte.
    var start: Int
    /// Offset of the closing quote.
    var end: Int
    /// The content holds backslash escapes: unescape it (`JSONCursor.unescape`) before use; that also checks them.
    var hasEscapes: Bool
    /// Valid UTF-8 without raw control characters (escapes are checked when unescaped).
    var isValid: Bool

    static let empty = JSONString(start: 0, end: 0, hasEscapes: false, isValid: true)

    var isEmpty: Bool { start == end }
    var count: Int { end - start }
}

extension JSONCursor {
    /// The string starting at the position (its opening quote), consumed.
    mutating func string() throws(JSONSyntaxError) -> JSONString {
        let opening = position
        position += 1
        let start = position
        var hasEscapes = false
        var isValid = true
        let count = bytes.count
        while position < count {
            let byte = bytes[position]
            if byte >= 0x20 && byte < 0x80 {
                if byte == UInt8(ascii: "\"") {
                    let string = JSONString(start: start, end: position, hasEscapes: hasEscapes, isValid: isValid)
                    position += 1
                    return string
                }
                if byte == UInt8(ascii: "\\") {
                    hasEscapes = true
                    position += 2
                } else {
                    position += 1
                }
            } else if byte < 0x20 {
                isValid = false
                position += 1
            } else {
                let length = Self.utf8SequenceLength(bytes, at: position)
                if length == 0 {
                    isValid = false
                    position += 1
                } else {
                    position += length
                }
            }
        }
        throw JSONSyntaxError("unterminated string", at: opening)
    }

    /// The length of the well-formed UTF-8 sequence starting with a byte >= 0x80 at `offset` (Unicode table
    /// 3-7: no overlong forms, no surrogates, nothing above U+10FFFF); 0 when it is not one.
    @inline(__always)
    static func utf8SequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Int {
        let lead = bytes[offset]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            high = 0x9F
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F
        default: return 0
        }
        guard bytes.count - offset >= length else { return 0 }
        let second = bytes[offset + 1]
        guard second >= low && second <= high else { return 0 }
        for index in 2..<length where bytes[offset + index] & 0xC0 != 0x80 { return 0 }
        return length
    }

    /// Appends the content of `string` with its escapes resolved, as UTF-8; false when an escape is not one or a
    /// `\u` escape is a lone surrogate (what was appended is then meaningless). The raw bytes must be valid
    /// (`string.isValid`).
    func unescape(_ string: JSONString, into output: inout [UInt8]) -> Bool {
        var index = string.start
        while index < string.end {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            guard index + 1 < string.end else { return false }
            index += 2
            switch bytes[index - 1] {
            case UInt8(ascii: "\""): output.append(0x22)
            case UInt8(ascii: "\\"): output.append(0x5C)
            case UInt8(ascii: "/"): output.append(0x2F)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                guard let unit = hexUnit(at: index, end: string.end) else { return false }
                index += 4
                var scalar = UInt32(unit)
                if unit >= 0xD800 && unit <= 0xDBFF {
                    guard index + 1 < string.end, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u"),
                        let low = hexUnit(at: index + 2, end: string.end), low >= 0xDC00 && low <= 0xDFFF
                    else { return false }
                    index += 6
                    scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                } else if unit >= 0xDC00 && unit <= 0xDFFF {
                    return false
                }
                Self.appendUTF8(scalar, to: &output)
            default:
                return false
            }
        }
        return true
    }

    /// The four hex digits at `offset` as a UTF-16 code unit.
    private func hexUnit(at offset: Int, end: Int) -> UInt16? {
        guard end - offset >= 4 else { return nil }
        var unit: UInt16 = 0
        for index in offset..<(offset + 4) {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            unit = unit << 4 | UInt16(digit)
        }
        return unit
    }

    private static func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            output.append(UInt8(scalar))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | scalar >> 6))
            output.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | scalar >> 12))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        default:
            output.append(UInt8(0xF0 | scalar >> 18))
            output.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
