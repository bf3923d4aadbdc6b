extension Event: ProtobufMessage, ProtobufCodable {
    public init(protobuf bytes: ArraySlice<UInt8>) throws(WireError) { self = try Self.decoded(from: bytes) }

    public func protobufBytes() -> [UInt8] { encodedBytes() }

    static var protobufDefault: Event { Event() }

    mutating func merge(from reader: inout ProtobufReader) throws(WireError) {
        while let tag = try reader.nextTag() {
            switch (tag.fieldNumber, tag.wireType) {
            case (4, .lengthDelimited): id = try reader.readString()
            case (5, .lengthDelimited): timestamp = try reader.readString()
            case (6, .lengthDelimited): currentURL = try reader.readString()
            case (7, .lengthDelimited): type = try reader.readString()
            case (8, .lengthDelimited):
                var attribute = Attribute()
                try reader.readMessage { (message) throws(WireError) in try attribute.merge(from: &message) }
                attributes.append(attribute)
            case (65, .varint), (65, .lengthDelimited): try reader.readInt64s(into: &experimentIds)
            default: try reader.skipField()
            }
        }
    }

    func write<Sink>(to writer: inout ProtobufWriter<Sink>) {
        writer.write(id, field: 4)
        writer.write(timestamp, field: 5)
        writer.write(currentURL, field: 6)
        writer.write(type, field: 7)
        for attribute in attributes { writer.write(attribute, field: 8, presence: .explicit) }
        writer.writePacked(experimentIds, field: 65)
    }
}
