extension Attribute: ProtobufMessage, ProtobufCodable {
    public init(protobuf bytes: ArraySlice<UInt8>) throws(WireError) { self = try Self.decoded(from: bytes) }

    public func protobufBytes() -> [UInt8] { encodedBytes() }

    static var protobufDefault: Attribute { Attribute() }

    /// The oneof takes the last member seen, as protoc does.
    mutating func merge(from reader: inout ProtobufReader) throws(WireError) {
        while let tag = try reader.nextTag() {
            switch (tag.fieldNumber, tag.wireType) {
            case (1, .lengthDelimited): key = try reader.readString()
            case (2, .lengthDelimited): value = .string(try reader.readString())
            case (3, .varint): value = .int(try reader.readInt64())
            case (4, .fixed64): value = .double(try reader.readDouble())
            case (5, .varint): value = .bool(try reader.readBool())
            default: try reader.skipField()
            }
        }
    }

    func write<Sink>(to writer: inout ProtobufWriter<Sink>) {
        writer.write(key, field: 1)
        switch value {
        case .string(let string): writer.write(string, field: 2, presence: .explicit)
        case .int(let int): writer.write(int, field: 3, presence: .explicit)
        case .double(let double): writer.write(double, field: 4, presence: .explicit)
        case .bool(let bool): writer.write(bool, field: 5, presence: .explicit)
        case nil: break
        }
    }
}
