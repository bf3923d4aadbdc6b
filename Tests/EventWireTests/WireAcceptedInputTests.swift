import Testing

@testable import EventWire

/// Valid encodings protoc does not produce itself but other encoders may: all must decode as protoc decodes them.
struct AcceptedInput: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let expected: Events

    var testDescription: String { name }

    static let all: [AcceptedInput] = [
        AcceptedInput(
            name: "unknown fields of every wire type, including nested groups",
            bytes: [0x08, 0x96, 0x01] + [0x11] + Array(repeating: 0xAB, count: 8) + [0x1A, 0x02, 0x61, 0x62]
                + [0x1D, 0x01, 0x02, 0x03, 0x04] + [0x33, 0x08, 0x01, 0x3B, 0x1A, 0x00, 0x3C, 0x34]
                + [0x22, 0x03, 0x2A, 0x01, 0x61] + [0xF8, 0xFF, 0xFF, 0xFF, 0x0F, 0x00],
            expected: Events(header: Header(sessionId: "a"))
        ),
        AcceptedInput(
            name: "known field with an unexpected wire type is skipped as unknown",
            bytes: [0x20, 0x01, 0x2D, 0x00, 0x00, 0x00, 0x00],
            expected: Events()
        ),
        AcceptedInput(
            name: "unpacked experimentIds",
            bytes: [0x2A, 0x06, 0x88, 0x04, 0x01, 0x88, 0x04, 0x02],
            expected: Events(events: [Event(experimentIds: [1, 2])])
        ),
        AcceptedInput(
            name: "packed and unpacked experimentIds append",
            bytes: [0x2A, 0x08, 0x8A, 0x04, 0x02, 0x03, 0x04, 0x88, 0x04, 0x05],
            expected: Events(events: [Event(experimentIds: [3, 4, 5])])
        ),
        AcceptedInput(
            name: "empty packed run",
            bytes: [0x2A, 0x03, 0x8A, 0x04, 0x00],
            expected: Events(events: [Event()])
        ),
        AcceptedInput(
            name: "a repeated header merges, the last scalar wins",
            bytes: [0x22, 0x05, 0x2A, 0x01, 0x61, 0x38, 0x05] + [0x22, 0x05, 0x2A, 0x01, 0x62, 0x30, 0x07],
            expected: Events(header: Header(sessionId: "b", bbDeviceId: 7, userId: 5))
        ),
        AcceptedInput(
            name: "the last oneof member wins",
            bytes: [0x2A, 0x07, 0x42, 0x05, 0x12, 0x01, 0x78, 0x28, 0x00],
            expected: Events(events: [Event(attributes: [Attribute(value: .bool(false))])])
        ),
        AcceptedInput(
            name: "non-canonical varints",
            bytes: [0x22, 0x05, 0x30, 0x81, 0x80, 0x80, 0x00],
            expected: Events(header: Header(bbDeviceId: 1))
        ),
        AcceptedInput(
            name: "largest varint (10 bytes)",
            bytes: [0x22, 0x0B, 0x38] + Array(repeating: 0xFF, count: 9) + [0x01],
            expected: Events(header: Header(userId: -1))
        ),
        AcceptedInput(
            name: "empty events",
            bytes: [0x2A, 0x00, 0x2A, 0x02, 0x3A, 0x00],
            expected: Events(events: [Event(), Event()])
        ),
    ]
}

@Suite struct WireAcceptedInputTests {
    @Test(arguments: AcceptedInput.all)
    func decodesAsProtocDoes(input: AcceptedInput) throws {
        #expect(try Events(protobuf: input.bytes[...]) == input.expected)
    }

    @Test func presenceOfOneofMembersAndDefaults() {
        #expect(Attribute(key: "k").protobufBytes() == [0x0A, 0x01, 0x6B])
        #expect(Attribute(value: .int(0)).protobufBytes() == [0x18, 0x00])
        #expect(Attribute(value: .string("")).protobufBytes() == [0x12, 0x00])
        #expect(Attribute(value: .bool(false)).protobufBytes() == [0x28, 0x00])
        #expect(Attribute(value: .double(-0.0)).protobufBytes() == [0x21, 0, 0, 0, 0, 0, 0, 0, 0x80])
        #expect(Header().protobufBytes() == [])
        #expect(Events(header: Header(), events: [Event()]).protobufBytes() == [0x2A, 0x00])
    }

    static let varints: [(UInt64, [UInt8])] = [
        (0, [0x00]), (1, [0x01]), (127, [0x7F]), (128, [0x80, 0x01]), (300, [0xAC, 0x02]),
        (UInt64.max, Array(repeating: 0xFF, count: 9) + [0x01]),
    ]

    @Test(arguments: varints)
    func varintsRoundTrip(value: UInt64, bytes: [UInt8]) throws {
        var writer = ProtobufWriter(sink: ByteSink(capacity: 0))
        writer.writeVarint(value)
        #expect(writer.sink.bytes == bytes)
        #expect(ProtobufWriter<SizeSink>.varintSize(value) == bytes.count)
        #expect(try ProtobufReader.read(bytes[...]) { (reader) throws(WireError) in try reader.readVarint() } == value)
    }
}
