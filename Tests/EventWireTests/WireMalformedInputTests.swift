import Testing

@testable import EventWire

/// Bytes no encoder should produce: each must throw the right `WireError`, never crash.
struct MalformedInput: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let code: WireError.Code
    let fieldNumber: Int?
    /// Decodes with the message type under test.
    var decode: @Sendable ([UInt8]) throws -> Void = { _ = try Events(protobuf: $0[...]) }

    var testDescription: String { name }

    static func varint(_ value: UInt64) -> [UInt8] {
        var writer = ProtobufWriter(sink: ByteSink(capacity: 10))
        writer.writeVarint(value)
        return writer.sink.bytes
    }

    /// A length-delimited field around `content`.
    static func field(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] { [tag] + varint(UInt64(content.count)) + content }

    static let all: [MalformedInput] = [
        MalformedInput(
            name: "11-byte varint value",
            bytes: [0x08] + Array(repeating: 0xFF, count: 10) + [0x01],
            code: .malformedVarint,
            fieldNumber: 1
        ),
        MalformedInput(
            name: "11-byte varint tag",
            bytes: Array(repeating: 0x80, count: 10) + [0x01],
            code: .malformedVarint,
            fieldNumber: nil
        ),
        MalformedInput(
            name: "10-byte varint above 64 bits in Header.bbDeviceId",
            bytes: field(0x22, [0x30] + Array(repeating: 0xFF, count: 9) + [0x02]),
            code: .malformedVarint,
            fieldNumber: 6
        ),
        MalformedInput(
            name: "enum varint of 11 bytes",
            bytes: [0x08] + Array(repeating: 0x81, count: 10) + [0x00],
            code: .malformedVarint,
            fieldNumber: 1,
            decode: { _ = try HealthCheckResponse(protobuf: $0[...]) }
        ),
        MalformedInput(
            name: "length prefix beyond the end",
            bytes: [0x2A, 0x05, 0x22, 0x00],
            code: .truncated,
            fieldNumber: 5
        ),
        MalformedInput(
            name: "length prefix of Int.max",
            bytes: [0x2A] + varint(UInt64(Int.max)) + [0x00],
            code: .lengthOverflow,
            fieldNumber: 5
        ),
        MalformedInput(
            name: "length prefix of UInt64.max",
            bytes: [0x22] + varint(.max),
            code: .lengthOverflow,
            fieldNumber: 4
        ),
        MalformedInput(
            name: "length prefix of 2 GiB",
            bytes: [0x1A] + varint(1 << 31),
            code: .lengthOverflow,
            fieldNumber: 3
        ),
        MalformedInput(name: "wire type 6", bytes: [0x0E, 0x00], code: .invalidWireType, fieldNumber: 1),
        MalformedInput(name: "wire type 7", bytes: [0x2F], code: .invalidWireType, fieldNumber: 5),
        MalformedInput(
            name: "wire type 7 inside an Event",
            bytes: field(0x2A, [0x0F]),
            code: .invalidWireType,
            fieldNumber: 1
        ),
        MalformedInput(name: "field number 0", bytes: [0x00, 0x00], code: .invalidFieldNumber, fieldNumber: nil),
        MalformedInput(
            name: "tag wider than 32 bits",
            bytes: varint(1 << 35) + [0x00],
            code: .invalidFieldNumber,
            fieldNumber: nil
        ),
        MalformedInput(
            name: "invalid UTF-8 in Header.sessionId",
            bytes: field(0x22, field(0x2A, [0xC3, 0x28])),
            code: .invalidUTF8,
            fieldNumber: 5
        ),
        MalformedInput(
            name: "overlong UTF-8 in Event.type",
            bytes: field(0x2A, field(0x3A, [0xC0, 0xAF])),
            code: .invalidUTF8,
            fieldNumber: 7
        ),
        MalformedInput(
            name: "UTF-16 surrogate in Attribute.key",
            bytes: field(0x2A, field(0x42, field(0x0A, [0xED, 0xA0, 0x80]))),
            code: .invalidUTF8,
            fieldNumber: 1
        ),
        MalformedInput(
            name: "truncated UTF-8 in Attribute.stringValue",
            bytes: field(0x2A, field(0x42, field(0x12, [0x61, 0xE6, 0x97]))),
            code: .invalidUTF8,
            fieldNumber: 2
        ),
        MalformedInput(
            name: "invalid UTF-8 in HealthCheckRequest.service",
            bytes: [0x0A, 0x01, 0xFF],
            code: .invalidUTF8,
            fieldNumber: 1,
            decode: { _ = try HealthCheckRequest(protobuf: $0[...]) }
        ),
        MalformedInput(
            name: "packed varint running past its length",
            bytes: field(0x2A, [0x8A, 0x04, 0x02, 0xFF, 0xFF, 0x08, 0x01]),
            code: .truncated,
            fieldNumber: 65
        ),
        MalformedInput(
            name: "double cut short",
            bytes: field(0x2A, field(0x42, [0x21, 0x00, 0x00, 0x00])),
            code: .truncated,
            fieldNumber: 4
        ),
        MalformedInput(name: "unknown fixed32 cut short", bytes: [0x0D, 0x00], code: .truncated, fieldNumber: 1),
        MalformedInput(name: "tag cut short", bytes: [0x80], code: .truncated, fieldNumber: nil),
        MalformedInput(name: "unclosed group", bytes: [0x0B, 0x08, 0x01], code: .truncated, fieldNumber: 1),
        MalformedInput(name: "end group without start", bytes: [0x0C], code: .malformedGroup, fieldNumber: 1),
        MalformedInput(
            name: "group closed by another field",
            bytes: [0x0B, 0x14],
            code: .malformedGroup,
            fieldNumber: 2
        ),
        MalformedInput(
            name: "groups nested 101 deep",
            bytes: Array(repeating: 0x0B, count: 101),
            code: .nestingTooDeep,
            fieldNumber: 1
        ),
    ]
}

@Suite struct WireMalformedInputTests {
    @Test(arguments: MalformedInput.all)
    func throwsTheRightError(input: MalformedInput) {
        let error = #expect(throws: WireError.self) { try input.decode(input.bytes) }
        #expect(error?.code == input.code)
        #expect(error?.fieldNumber == input.fieldNumber)
    }

    /// Every prefix of a valid message that cuts a field throws `.truncated`; every prefix that ends on a
    /// top-level field boundary is itself a valid message, holding the fields before the cut.
    @Test(arguments: TruncationCase.all)
    func truncationAtEveryOffset(truncation: TruncationCase) throws {
        try truncation.run()
    }
}

struct TruncationCase: Sendable, CustomTestStringConvertible {
    let name: String
    let run: @Sendable () throws -> Void

    var testDescription: String { name }

    /// `prefixes` are the message with its top-level fields added one at a time; the last is the whole message.
    static func make<M: ProtobufMessage & Equatable>(_ name: String, _ prefixes: [M]) -> TruncationCase {
        TruncationCase(name: name) {
            let full = try #require(prefixes.last).protobufBytes()
            var boundaries = [0: try M(protobuf: [])]
            for prefix in prefixes { boundaries[prefix.protobufBytes().count] = prefix }
            for length in 0..<full.count {
                if let expected = boundaries[length] {
                    #expect(try M(protobuf: full[..<length]) == expected, "prefix of \(length) bytes")
                } else {
                    let error = #expect(throws: WireError.self, "prefix of \(length) bytes") {
                        try M(protobuf: full[..<length])
                    }
                    #expect(error?.code == .truncated, "prefix of \(length) bytes")
                }
            }
        }
    }

    static let all: [TruncationCase] = [
        .make(
            "events_full",
            [Events(header: Golden.fullHeader)]
                + (1...Golden.fullEventList.count).map {
                    Events(header: Golden.fullHeader, events: Array(Golden.fullEventList.prefix($0)))
                }
        ),
        .make("first Event of events_full", fieldByField(Golden.fullEventList[0])),
        .make(
            "dispatch_response",
            [DispatchResponse(status: "SUCCESS"), DispatchResponse(status: "SUCCESS", message: "accepted 3 events")]
        ),
        .make("health_response_unknown_status", [HealthCheckResponse(status: .init(rawValue: -1))]),
    ]

    private static func fieldByField(_ event: Event) -> [Event] {
        var partial = Event(id: event.id)
        var steps = [partial]
        partial.timestamp = event.timestamp
        steps.append(partial)
        partial.currentURL = event.currentURL
        steps.append(partial)
        partial.type = event.type
        steps.append(partial)
        for attribute in event.attributes {
            partial.attributes.append(attribute)
            steps.append(partial)
        }
        partial.experimentIds = event.experimentIds
        steps.append(partial)
        return steps
    }
}
