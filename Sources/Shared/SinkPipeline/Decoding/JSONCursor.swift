/// A forward reader of RFC 8259 JSON over a message body's bytes: no intermediate objects, no allocation.
///
/// Syntax errors (a missing bracket, a bad literal, nesting deeper than `maximumDepth`) throw `JSONSyntaxError`:
/// the message is not JSON. Problems inside a well-formed value (a string that is not valid UTF-8 or holds a raw
/// control character, an escape that is not one, a number out of range) are not syntax errors: they are reported
/// on the value (`JSONString.isValid`, `JSONInteger`) so that the one event holding the value can be refused.
///
/// The cursor holds a pointer into the body: use it only inside `withUnsafeBufferPointer` on that body.
struct JSONCursor {
    /// Containers (objects and arrays) nested deeper than this make the message undecodable.
    static let maximumDepth = 64

    let bytes: UnsafeBufferPointer<UInt8>
    /// The offset of the next byte to read.
    var position = 0
    /// Containers entered and not yet left.
    var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The byte at the position, after whitespace; nil at the end.
    @inline(__always)
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < bytes.count ? bytes[position] : nil
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// Consumes `byte` (after whitespace) or throws.
    @inline(__always)
    mutating func expect(_ byte: UInt8, _ what: StaticString) throws(JSONSyntaxError) {
        guard peek() == byte else { throw JSONSyntaxError("expected \(what)", at: position) }
        position += 1
    }

    /// Consumes `byte` (after whitespace) when it is next; false otherwise.
    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        position += 1
        return true
    }

    /// Enters an object or an array whose opening bracket was just consumed.
    @inline(__always)
    mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw JSONSyntaxError("nesting deeper than \(Self.maximumDepth) levels", at: position)
        }
    }

    /// Iterates an object's members after its `{` was consumed: true with the cursor on the member's value (its
    /// key in `key`), false once the closing `}` is consumed. A `,` is always followed by a member, so a trailing
    /// comma is a syntax error.
    @inline(__always)
    mutating func nextMember(first: inout Bool, key: inout JSONString) throws(JSONSyntaxError) -> Bool {
        if consume(UInt8(ascii: "}")) {
            depth -= 1
            return false
        }
        if !first { try expect(UInt8(ascii: ","), "',' or '}'") }
        first = false
        guard peek() == UInt8(ascii: "\"") else { throw JSONSyntaxError("expected a member name", at: position) }
        key = try string()
        try expect(UInt8(ascii: ":"), "':'")
        skipWhitespace()
        return true
    }

    /// Iterates an array's elements after its `[` was consumed: true with the cursor on the next element, false
    /// once the closing `]` is consumed.
    @inline(__always)
    mutating func nextElement(first: inout Bool) throws(JSONSyntaxError) -> Bool {
        if consume(UInt8(ascii: "]")) {
            depth -= 1
            return false
        }
        if !first { try expect(UInt8(ascii: ","), "',' or ']'") }
        first = false
        skipWhitespace()
        guard position < bytes.count else { throw JSONSyntaxError("unexpected end of the body", at: position) }
        return true
    }

    /// Skips one value of any kind, checking its syntax.
    mutating func skipValue() throws(JSONSyntaxError) {
        switch peek() ?? 0 {
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "{"):
            position += 1
            try enter()
            var first = true
            var key = JSONString.empty
            while try nextMember(first: &first, key: &key) { try skipValue() }
        case UInt8(ascii: "["):
            position += 1
            try enter()
            var first = true
            while try nextElement(first: &first) { try skipValue() }
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            _ = try literal()
        default:
            _ = try number()
        }
    }

    /// `true`, `false` or `null` (nil) at the position.
    mutating func literal() throws(JSONSyntaxError) -> Bool? {
        if matches("true") { return true }
        if matches("false") { return false }
        if matches("null") { return nil }
        throw JSONSyntaxError("expected a value", at: position)
    }

    private mutating func matches(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - position >= count else { return false }
        for index in 0..<count where bytes[position + index] != word.utf8Start[index] { return false }
        position += count
        return true
    }
}

/// The body is not JSON: what was expected, and the byte offset where it was not found.
struct JSONSyntaxError: Error {
    var message: String
    var offset: Int

    init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }
}
