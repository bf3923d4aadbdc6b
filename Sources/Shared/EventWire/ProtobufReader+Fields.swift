extension ProtobufReader {
    /// Reads a `string` field, which must be valid UTF-8.
    mutating func readString() throws(WireError) -> String {
        let range = try readLengthDelimited()
        guard let string = String(validating: bytes(in: range), as: UTF8.self) else {
            throw failure(.invalidUTF8, "a string field holds bytes that are not valid UTF-8; send UTF-8 text")
        }
        return string
    }

    /// Reads one element of a `repeated int64` field in either encoding: unpacked (one varint per tag) or packed
    /// (one length-delimited run of varints). Parsers must accept both, whatever the schema says.
    mutating func readInt64s(into values: inout [Int64]) throws(WireError) {
        guard currentTag?.wireType == .lengthDelimited else {
            values.append(try readInt64())
            return
        }
        var packed = try subreader(for: try readLengthDelimited())
        while !packed.isAtEnd {
            values.append(try packed.readInt64())
        }
    }

    /// Reads an embedded message, letting `merge` consume exactly its bytes.
    mutating func readMessage(_ merge: (inout ProtobufReader) throws(WireError) -> Void) throws(WireError) {
        var message = try subreader(for: try readLengthDelimited())
        message.currentTag = nil
        try merge(&message)
    }

    /// Skips the value of the field whose tag `nextTag()` just returned: unknown fields of every wire type,
    /// including (deprecated) groups with their nested fields.
    mutating func skipField() throws(WireError) {
        guard let tag = currentTag else { preconditionFailure("skipField() called before nextTag()") }
        switch tag.wireType {
        case .varint: _ = try readVarint()
        case .fixed64: try skip(8, "a fixed64 value")
        case .fixed32: try skip(4, "a fixed32 value")
        case .lengthDelimited: _ = try readLengthDelimited()
        case .startGroup: try skipGroup(tag.fieldNumber)
        case .endGroup:
            throw failure(.malformedGroup, "an end-group tag has no matching start-group tag")
        }
    }

    private mutating func skip(_ count: Int, _ what: @autoclosure () -> String) throws(WireError) {
        try require(count, what())
        index += count
    }

    private mutating func skipGroup(_ fieldNumber: Int) throws(WireError) {
        guard depth < Self.maximumDepth else {
            throw failure(.nestingTooDeep, "groups nest deeper than \(Self.maximumDepth) levels")
        }
        depth += 1
        defer { depth -= 1 }
        while true {
            guard let tag = try nextTag() else {
                throw WireError(
                    code: .truncated,
                    message: "the input ends inside group field \(fieldNumber);"
                        + " send the complete protobuf-encoded message",
                    fieldNumber: fieldNumber
                )
            }
            if tag.wireType == .endGroup {
                guard tag.fieldNumber == fieldNumber else {
                    throw failure(
                        .malformedGroup,
                        "group field \(fieldNumber) is closed by an end-group tag"
                            + " for field \(tag.fieldNumber)"
                    )
                }
                return
            }
            try skipField()
        }
    }
}
