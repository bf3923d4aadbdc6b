/// A message of `Protos/*.proto` with a hand-written protobuf codec that matches protoc byte for byte.
public protocol ProtobufMessage: Sendable {
    /// Decodes a message, skipping unknown fields. Throws `WireError` on truncated or malformed bytes.
    init(protobuf bytes: ArraySlice<UInt8>) throws
    /// The canonical encoding: fields in field-number order, proto3 defaults left out, repeated int64 packed.
    func protobufBytes() -> [UInt8]
}

/// What each message implements; decoding and encoding entry points are shared.
protocol ProtobufCodable: ProtobufMessage, Equatable {
    /// The message with every field at its default.
    static var protobufDefault: Self { get }
    /// Merges the fields in `reader` into `self` with protobuf's rules: the last scalar wins, repeated fields
    /// append, embedded messages merge.
    mutating func merge(from reader: inout ProtobufReader) throws(WireError)
    /// Writes the non-default fields in field-number order.
    func write<Sink>(to writer: inout ProtobufWriter<Sink>)
}

extension ProtobufCodable {
    static func decoded(from bytes: ArraySlice<UInt8>) throws(WireError) -> Self {
        try ProtobufReader.read(bytes) { (reader) throws(WireError) -> Self in
            var message = Self.protobufDefault
            try message.merge(from: &reader)
            return message
        }
    }

    var encodedSize: Int {
        var writer = ProtobufWriter(sink: SizeSink())
        write(to: &writer)
        return writer.sink.count
    }

    func encodedBytes() -> [UInt8] {
        var writer = ProtobufWriter(sink: ByteSink(capacity: encodedSize))
        write(to: &writer)
        return writer.sink.bytes
    }
}
