/// One event's `attributes` object rendered as the JSON text the `attributes` column holds, already escaped for
/// the row it sits in: members in the order sent, string, number and boolean values kept as they were written
/// (other values dropped, as the first release did), and a later member of the same name replacing an earlier
/// one. Reused from event to event.
struct AttributeEntries {
    /// The rendered members, back to back, without separators.
    private var text: [UInt8] = []
    /// Each member's place in `text`; `kept` is false once a later member of the same name replaced it.
    private var entries: [(start: Int, nameEnd: Int, end: Int, kept: Bool)] = []

    mutating func reset() {
        text.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }

    /// Reads the `attributes` value at the position; returns why the event is to be refused (a name or string
    /// that is not valid text, an integer out of range), else nil. Anything but an object is skipped.
    mutating func read(_ cursor: inout JSONCursor, scratch: inout [UInt8]) throws(JSONSyntaxError) -> String? {
        reset()
        guard cursor.peek() == UInt8(ascii: "{") else {
            try cursor.skipValue()
            return nil
        }
        cursor.position += 1
        try cursor.enter()
        var problem: String?
        var first = true
        var key = JSONString.empty
        while try cursor.nextMember(first: &first, key: &key) {
            guard cursor.isValidText(key, scratch: &scratch) else {
                problem = problem ?? "attributes holds a name that is not valid UTF-8 text"
                try cursor.skipValue()
                continue
            }
            let start = text.count
            cursor.write(.string(key), twice: true, scratch: &scratch, to: &text)
            let nameEnd = text.count
            text.append(UInt8(ascii: ":"))
            replaceEarlier(nameFrom: start, to: nameEnd)
            switch cursor.peek() ?? 0 {
            case UInt8(ascii: "\""):
                let value = try cursor.string()
                guard cursor.isValidText(value, scratch: &scratch) else {
                    problem = problem ?? "attributes holds a string that is not valid UTF-8 text"
                    text.removeSubrange(start...)
                    continue
                }
                cursor.write(.string(value), twice: true, scratch: &scratch, to: &text)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let number = try cursor.number()
                guard number.integer != .outOfRange else {
                    problem = problem ?? "attributes holds an integer out of range"
                    text.removeSubrange(start...)
                    continue
                }
                RowOutput.raw(cursor.bytes, number.start..<number.end, to: &text)
            case UInt8(ascii: "t"), UInt8(ascii: "f"):
                RowOutput.raw(try cursor.literal() == true ? "true" : "false", to: &text)
            default:
                try cursor.skipValue()
                text.removeSubrange(start...)
                continue
            }
            entries.append((start, nameEnd, text.count, true))
        }
        return problem
    }

    /// Marks an earlier member whose rendered name equals `text[start..<end]` as replaced.
    private mutating func replaceEarlier(nameFrom start: Int, to end: Int) {
        let length = end - start
        for index in entries.indices
        where entries[index].kept && entries[index].nameEnd - entries[index].start == length {
            if text[entries[index].start..<entries[index].nameEnd].elementsEqual(text[start..<end]) {
                entries[index].kept = false
            }
        }
    }

    /// The members, comma-separated, without the braces.
    func write(to output: inout [UInt8]) {
        guard !entries.isEmpty else { return }
        var first = true
        for entry in entries where entry.kept {
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            text.withUnsafeBufferPointer { RowOutput.raw($0, entry.start..<entry.end, to: &output) }
        }
    }
}

extension JSONCursor {
    /// True when `string` is valid UTF-8 without raw control characters and its escapes, if any, are valid.
    func isValidText(_ string: JSONString, scratch: inout [UInt8]) -> Bool {
        guard string.isValid else { return false }
        guard string.hasEscapes else { return true }
        scratch.removeAll(keepingCapacity: true)
        return unescape(string, into: &scratch)
    }
}
