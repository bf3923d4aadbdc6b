extension HeaderView {
    mutating func merge(from reader: inout ProtobufReader, limits: DecodeLimits) throws(WireError) {
        while let tag = try reader.nextTag() {
            switch (tag.fieldNumber, tag.wireType) {
            case (6, .varint): bbDeviceId = try reader.readInt64()
            case (7, .varint): userId = try reader.readInt64()
            case (let field, .lengthDelimited) where field == 5 || (8...24).contains(field):
                strings[field - 5] = try reader.readText(limits) {
                    let name = Self.stringFieldNumbers.first { $0.field == field }.map { "\($0.name)" }
                    return "header.\(name ?? "field \(field)")"
                }
            default: try reader.skipField()
            }
        }
    }
}
