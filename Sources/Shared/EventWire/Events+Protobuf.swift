extension Events: ProtobufMessage, ProtobufCodable {
    public init(protobuf bytes: ArraySlice<UInt8>) throws(WireError) { self = try Self.decoded(from: bytes) }

    public func protobufBytes() -> [UInt8] { encodedBytes() }

    static var protobufDefault: Events { Events() }

    mutating func merge(from reader: inout ProtobufReader) throws(WireError) {
        while let tag = try reader.nextTag() {
            switch (tag.fieldNumber, tag.wireType) {
            case (4, .lengthDelimited):
                try reader.readMessage { (message) throws(WireError) in try header.merge(from: &message) }
            case (5, .lengthDelimited):
                var event = Event()
                try reader.readMessage { (message) throws(WireError) in try event.merge(from: &message) }
                events.append(event)
            default:
                try reader.skipField()
            }
        }
    }

    func write<Sink>(to writer: inout ProtobufWriter<Sink>) {
        writer.write(header, field: 4)
        for event in events { writer.write(event, field: 5, presence: .explicit) }
    }
}
