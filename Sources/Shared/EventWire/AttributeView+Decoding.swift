extension AttributeView {
    /// The oneof takes the last member seen, as protoc does.
    mutating func merge(
        from reader: inout ProtobufReader,
        limits: DecodeLimits,
        path: () -> String
    ) throws(WireError) {
        while let tag = try reader.nextTag() {
            switch (tag.fieldNumber, tag.wireType) {
            case (1, .lengthDelimited): key = try reader.readText(limits) { "\(path()).key" }
            case (2, .lengthDelimited): value = .string(try reader.readText(limits) { "\(path()).stringValue" })
            case (3, .varint): value = .int(try reader.readInt64())
            case (4, .fixed64): value = .double(try reader.readDouble())
            case (5, .varint): value = .bool(try reader.readBool())
            default: try reader.skipField()
            }
        }
    }
}
