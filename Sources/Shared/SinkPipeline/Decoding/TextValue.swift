/// A value stored as text: a string, or a number's digits (other publishers write ids as numbers).
enum TextValue {
    case absent
    /// Valid UTF-8 whose escapes, if any, are valid too.
    case string(JSONString)
    case number(Range<Int>)
    /// A string that is not valid UTF-8, holds a raw control character or a bad escape.
    case invalid

    /// True for an absent value or an empty string.
    var isEmpty: Bool {
        switch self {
        case .absent: true
        case .string(let string): string.isEmpty
        case .number, .invalid: false
        }
    }
}

extension JSONCursor {
    /// The value at the position as text; `.absent` (skipped) for anything but a string or a number.
    mutating func textValue(scratch: inout [UInt8]) throws(JSONSyntaxError) -> TextValue {
        switch peek() ?? 0 {
        case UInt8(ascii: "\""):
            let text = try string()
            guard text.isValid else { return .invalid }
            if text.hasEscapes {
                scratch.removeAll(keepingCapacity: true)
                guard unescape(text, into: &scratch) else { return .invalid }
            }
            return .string(text)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let number = try number()
            return .number(number.start..<number.end)
        default:
            try skipValue()
            return .absent
        }
    }

    /// `true`/`false`, a number (non-zero is true) or the strings `"true"`/`"1"`; nil (skipped) otherwise.
    mutating func flagValue() throws(JSONSyntaxError) -> Bool? {
        switch peek() ?? 0 {
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            return try literal()
        case UInt8(ascii: "\""):
            let text = try string()
            let content = UnsafeBufferPointer(rebasing: bytes[text.start..<text.end])
            return content.elementsEqual("true".utf8) || content.elementsEqual("1".utf8)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let number = try number()
            for index in number.start..<number.end {
                let byte = bytes[index]
                if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { break }
                if byte >= UInt8(ascii: "1") && byte <= UInt8(ascii: "9") { return true }
            }
            return false
        default:
            try skipValue()
            return nil
        }
    }

    /// Writes `value` as a JSON string, quotes included (escaped once more, quotes as `\"`, when `twice`);
    /// `.absent` and `.invalid` write an empty string.
    func write(
        _ value: TextValue,
        twice: Bool = false,
        scratch: inout [UInt8],
        to output: inout [UInt8]
    ) {
        switch value {
        case .string(let text) where !text.hasEscapes:
            if twice {
                RowOutput.raw(#"\""#, to: &output)
                RowOutput.raw(bytes, text.start..<text.end, to: &output)
                RowOutput.raw(#"\""#, to: &output)
            } else {
                RowOutput.raw(bytes, (text.start - 1)..<(text.end + 1), to: &output)
            }
        case .string(let text):
            scratch.removeAll(keepingCapacity: true)
            _ = unescape(text, into: &scratch)
            twice ? RowOutput.raw(#"\""#, to: &output) : output.append(UInt8(ascii: "\""))
            scratch.withUnsafeBufferPointer { RowOutput.escaped($0, twice: twice, to: &output) }
            twice ? RowOutput.raw(#"\""#, to: &output) : output.append(UInt8(ascii: "\""))
        case .number(let range):
            twice ? RowOutput.raw(#"\""#, to: &output) : output.append(UInt8(ascii: "\""))
            RowOutput.raw(bytes, range, to: &output)
            twice ? RowOutput.raw(#"\""#, to: &output) : output.append(UInt8(ascii: "\""))
        case .absent, .invalid:
            twice ? RowOutput.raw(#"\"\""#, to: &output) : RowOutput.raw(#""""#, to: &output)
        }
    }
}
