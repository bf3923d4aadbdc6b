import Testing

@testable import EventWire

/// Our codec against the bytes protoc produces for the same text-format messages.
@Suite struct WireGoldenTests {
    @Test(arguments: Golden.cases)
    func decodesGoldenBytesToTheExpectedValue(golden: GoldenCase) throws {
        #expect(try golden.decodesToExpected(try golden.binary()))
    }

    @Test(arguments: Golden.cases)
    func encodesTheExpectedValueToGoldenBytes(golden: GoldenCase) throws {
        #expect(golden.encoded == (try golden.binary()))
    }

    @Test(
        .enabled(if: Protoc.isAvailable || Protoc.isRequired, "protoc is not installed at /usr/bin/protoc"),
        arguments: Golden.cases
    )
    func protocReadsOurBytesAsItReadsTheGolden(golden: GoldenCase) throws {
        try #require(Protoc.isAvailable, "CI=true requires protoc at \(Protoc.path)")
        let type = try golden.messageType()
        let ours = try Protoc.decode(golden.encoded, as: type)
        let reference = try Protoc.decode(try golden.binary(), as: type)
        #expect(ours == reference)
    }

    @Test(
        .enabled(if: Protoc.isAvailable || Protoc.isRequired, "protoc is not installed at /usr/bin/protoc"),
        arguments: Golden.cases
    )
    func goldenBytesAreWhatProtocEncodesToday(golden: GoldenCase) throws {
        try #require(Protoc.isAvailable, "CI=true requires protoc at \(Protoc.path)")
        let encoded = try Protoc.encode(try golden.text(), as: try golden.messageType())
        #expect(encoded == (try golden.binary()), "stale golden: run scripts/golden.sh")
    }

    @Test func decodesFromASliceInsideALargerArray() throws {
        let bytes = try Golden.bytes("events_full")
        let padded = [0xFF, 0xFF, 0xFF] + bytes + [0x0F]
        #expect(try Events(protobuf: padded[3..<(3 + bytes.count)]) == Golden.fullEvents)
    }
}
