/// A database, table or column name that is safe to write into a statement as is.
///
/// Invariant: matches `^[A-Za-z_][A-Za-z0-9_]*$` and has at most 64 characters, so it needs no quoting and
/// cannot carry SQL. Only these go into statements; values go in request bodies.
public struct ClickHouseIdentifier: Hashable, Sendable, CustomStringConvertible {
    public static let maximumLength = 64

    public let name: String

    /// Throws `invalidIdentifier` unless `name` is a plain identifier.
    public init(_ name: String) throws(ClickHouseError) {
        guard Self.isValid(name) else {
            throw ClickHouseError(
                code: .invalidIdentifier,
                message: "Use a ClickHouse name of 1 to \(Self.maximumLength) characters: an ASCII letter or '_' "
                    + "followed by ASCII letters, digits or '_' (got \(Self.printable(name)))."
            )
        }
        self.name = name
    }

    public var description: String { name }

    static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= maximumLength else { return false }
        return isLetterOrUnderscore(first) && bytes.allSatisfy { isLetterOrUnderscore($0) || isDigit($0) }
    }

    private static func isLetterOrUnderscore(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || byte == UInt8(ascii: "_")
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// The rejected name for the message: bounded, with control characters escaped.
    private static func printable(_ name: String) -> String {
        let shown = name.count > maximumLength ? String(name.prefix(maximumLength)) + "…" : name
        return "\"" + shown.unicodeScalars.map { $0.escaped(asASCII: false) }.joined() + "\""
    }
}
