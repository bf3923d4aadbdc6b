/// The six wire types of the protobuf encoding (protobuf.dev/programming-guides/encoding).
enum WireType: UInt8, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    /// Deprecated groups: skipped when unknown, never produced.
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

/// A decoded field key: `fieldNumber << 3 | wireType`.
struct FieldTag: Equatable, Sendable {
    /// The largest field number protobuf allows (2^29 - 1).
    static let maximumFieldNumber = 536_870_911

    var fieldNumber: Int
    var wireType: WireType

    var encoded: UInt64 { UInt64(fieldNumber) << 3 | UInt64(wireType.rawValue) }
}
