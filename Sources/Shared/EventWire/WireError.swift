/// A protobuf message could not be decoded: the bytes are truncated, malformed or not valid for the schema.
///
/// Decoding never crashes and never trusts a length it cannot back with input bytes; every failure is one of
/// these, carrying the field number being read when it is known.
public struct WireError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, as a bounded set suitable for metric labels.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case truncated, malformedVarint, invalidWireType, invalidFieldNumber, invalidUTF8, lengthOverflow
            case malformedGroup, nestingTooDeep, limitExceeded
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The input ends inside a tag, a value or a length-delimited field.
        public static let truncated = Code(.truncated)
        /// A varint is longer than 10 bytes or does not fit in 64 bits.
        public static let malformedVarint = Code(.malformedVarint)
        /// A tag names wire type 6 or 7, which do not exist.
        public static let invalidWireType = Code(.invalidWireType)
        /// A tag names field number 0 or does not fit in 32 bits.
        public static let invalidFieldNumber = Code(.invalidFieldNumber)
        /// A `string` field holds bytes that are not valid UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// A length prefix is larger than any protobuf message may be (2 GiB).
        public static let lengthOverflow = Code(.lengthOverflow)
        /// An end-group tag has no matching start-group tag, or closes a different field.
        public static let malformedGroup = Code(.malformedGroup)
        /// Messages or groups are nested deeper than `ProtobufReader.maximumDepth`.
        public static let nestingTooDeep = Code(.nestingTooDeep)
        /// A count or a length is past a `DecodeLimits` bound (the message says which).
        public static let limitExceeded = Code(.limitExceeded)

        public var description: String { value.rawValue }
    }

    public var code: Code
    /// What happened and what the sender should do about it.
    public var message: String
    /// The field whose tag or value was being read, when known.
    public var fieldNumber: Int?
    public var cause: (any Error)?

    public init(code: Code, message: String, fieldNumber: Int? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.fieldNumber = fieldNumber
        self.cause = cause
    }

    public var description: String {
        var text = "WireError.\(code): \(message)"
        if let fieldNumber { text += " (field \(fieldNumber))" }
        if let cause { text += " (cause: \(cause))" }
        return text
    }
}
