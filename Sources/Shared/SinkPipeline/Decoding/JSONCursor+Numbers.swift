/// What a value read as a 64-bit integer turned out to be. Never a trap: a value out of range is reported.
enum JSONInteger: Equatable {
    case value(Int64)
    /// Not an integer: another kind of value, a fraction, text that is not decimal digits. Callers treat it as
    /// absent, as the first release did.
    case notInteger
    /// An integer (or a number with an integral value) outside Int64: the event holding it is refused.
    case outOfRange
}

/// A JSON number in the body: its text and, for an integer literal, its value.
struct JSONNumber {
    var start: Int
    var end: Int
    /// The value of an integer literal; `.notInteger` for a number with a fraction or an exponent, whose integral
    /// value, if any, `JSONCursor.integerValue` works out (only integer fields need it).
    var integer: JSONInteger
    var hasFractionOrExponent: Bool
}

extension JSONCursor {
    /// The number at the position, consumed; its syntax is checked (RFC 8259 section 6).
    mutating func number() throws(JSONSyntaxError) -> JSONNumber {
        let start = position
        let negative = position < bytes.count && bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        let digitsStart = position
        var magnitude: UInt64 = 0
        var overflow = false
        while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 {
            let digit = UInt64(bytes[position] &- UInt8(ascii: "0"))
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(digit)
            overflow = overflow || o1 || o2
            magnitude = sum
            position += 1
        }
        let digits = position - digitsStart
        guard digits > 0 else { throw JSONSyntaxError("expected a value", at: start) }
        guard digits == 1 || bytes[digitsStart] != UInt8(ascii: "0") else {
            throw JSONSyntaxError("a number has a leading zero", at: start)
        }
        var integral = true
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            position += 1
            integral = false
            guard skipDigits() > 0 else { throw JSONSyntaxError("expected digits after '.'", at: position) }
        }
        if position < bytes.count && (bytes[position] | 0x20) == UInt8(ascii: "e") {
            position += 1
            integral = false
            if position < bytes.count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-"))
            {
                position += 1
            }
            guard skipDigits() > 0 else { throw JSONSyntaxError("expected digits in an exponent", at: position) }
        }
        guard integral else {
            return JSONNumber(start: start, end: position, integer: .notInteger, hasFractionOrExponent: true)
        }
        let integer = overflow ? JSONInteger.outOfRange : Self.integer(magnitude: magnitude, negative: negative)
        return JSONNumber(start: start, end: position, integer: integer, hasFractionOrExponent: false)
    }

    private mutating func skipDigits() -> Int {
        let start = position
        while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 { position += 1 }
        return position - start
    }

    @inline(__always)
    static func integer(magnitude: UInt64, negative: Bool) -> JSONInteger {
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return .outOfRange }
            return .value(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
        }
        guard magnitude <= UInt64(Int64.max) else { return .outOfRange }
        return .value(Int64(magnitude))
    }

    /// A number with a fraction or an exponent: an integer when its value is integral (`1.7e12`), out of range
    /// when that integer does not fit, not an integer otherwise.
    private func integer(fromDecimal range: Range<Int>) -> JSONInteger {
        // Not on the hot path: publishers write integers as integers.
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        guard let value = Double(text) else { return .notInteger }
        guard value.isFinite else { return .outOfRange }
        guard value.rounded(.towardZero) == value else { return .notInteger }
        guard let integer = Int64(exactly: value) else { return .outOfRange }
        return .value(integer)
    }

    /// The value of an integer field: a number, or a string of decimal digits with an optional sign (what other
    /// publishers write); `.notInteger` for any other value, which is skipped.
    mutating func integerValue(scratch: inout [UInt8]) throws(JSONSyntaxError) -> JSONInteger {
        switch peek() ?? 0 {
        case UInt8(ascii: "\""):
            let text = try string()
            guard text.isValid else { return .notInteger }
            guard text.hasEscapes else { return Self.integer(digits: bytes, text.start..<text.end) }
            scratch.removeAll(keepingCapacity: true)
            guard unescape(text, into: &scratch) else { return .notInteger }
            return scratch.withUnsafeBufferPointer { Self.integer(digits: $0, 0..<$0.count) }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let number = try number()
            return number.hasFractionOrExponent ? integer(fromDecimal: number.start..<number.end) : number.integer
        default:
            try skipValue()
            return .notInteger
        }
    }

    /// `[+-]?[0-9]+` as an Int64.
    static func integer(digits bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> JSONInteger {
        var index = range.lowerBound
        guard index < range.upperBound else { return .notInteger }
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative || bytes[index] == UInt8(ascii: "+") { index += 1 }
        guard index < range.upperBound else { return .notInteger }
        var magnitude: UInt64 = 0
        var overflow = false
        while index < range.upperBound {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return .notInteger }
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
            overflow = overflow || o1 || o2
            magnitude = sum
            index += 1
        }
        return overflow ? .outOfRange : integer(magnitude: magnitude, negative: negative)
    }
}
