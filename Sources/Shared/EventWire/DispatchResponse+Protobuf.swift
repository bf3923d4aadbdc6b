extension DispatchResponse: ProtobufMessage, ProtobufCodable {
    public init(protobuf bytes: ArraySlice<UInt8>) throws(WireError) { self = try Self.decoded(from: bytes) }

    public func protobufBytes() -> [UInt8] { encodedBytes() }

    static var protobufDefault: DispatchResponse { DispatchResponse() }

    mutating func merge(from reader: inout ProtobufReader) throws(WireError) {
        while let tag = try reader.nextTag() {
            switch (tag.fieldNumber, tag.wireType) {
            case (1, .lengthDelimited): status = try reader.readString()
            case (2, .lengthDelimited): message = try reader.readString()
            default: try reader.skipField()
            }
        }
    }

    func write<Sink>(to writer: inout ProtobufWriter<Sink>) {
        writer.write(status, field: 1)
        writer.write(message, field: 2)
    }
}
