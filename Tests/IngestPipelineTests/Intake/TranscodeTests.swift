import EventWire
import Testing

@testable import IngestPipeline

/// The one pass (`BatchValidator.transcode`) against the three passes it replaced (`Events(protobuf:)`,
/// `validate`, `CallPart.parts`): the same parts byte for byte, the same refusals.
@Suite struct TranscodeTests {
    let validator = BatchValidator(limits: IngestLimits())
    static let now = TranscodeRequests.now

    /// The parts the three passes make, or nil when they refuse the request.
    func threePasses(_ bytes: [UInt8]) -> [CallPart]? {
        guard let batch = try? Events(protobuf: bytes[...]),
            let events = try? validator.validate(batch, now: Self.now)
        else { return nil }
        return CallPart.parts(header: batch.header, receivedAtMilliseconds: Self.now, events: events)
    }

    func onePass(_ bytes: ArraySlice<UInt8>) -> [CallPart]? {
        try? validator.transcode(bytes, now: Self.now).parts
    }

    @Test(arguments: 0..<400)
    func randomRequestsGiveTheSameBytes(seed: Int) throws {
        let bytes = TranscodeRequests.random(seed: UInt64(seed)).protobufBytes()
        let expected = threePasses(bytes)
        let actual = onePass(bytes[...])
        #expect(actual == expected)
        if let actual { #expect(actual.map { String(decoding: $0.json, as: UTF8.self) }.allSatisfy { !$0.isEmpty }) }
    }

    /// The comparison above means something only when most random batches are accepted by both paths.
    @Test func mostRandomRequestsAreAccepted() {
        let accepted = (0..<400).filter {
            threePasses(TranscodeRequests.random(seed: UInt64($0)).protobufBytes()) != nil
        }
        #expect(accepted.count >= 200, "\(accepted.count) of 400 accepted")
    }

    @Test(arguments: TranscodeRequests.golden.map(\.name))
    func fixedRequestsGiveTheSameBytes(name: String) throws {
        let bytes = try #require(TranscodeRequests.golden.first { $0.name == name }).bytes
        let expected = try #require(threePasses(bytes))
        #expect(onePass(bytes[...]) == expected)
        // A slice of a larger buffer (as the gRPC layer passes the message) reads the same.
        let framed = [0, 0, 0, 0, 0] + bytes + [9, 9]
        #expect(onePass(framed[5..<(5 + bytes.count)]) == expected)
    }

    /// The bytes main wrote for the same requests (`TranscodeGolden`, generated before the one pass existed).
    @Test(arguments: TranscodeRequests.golden.map(\.name))
    func fixedRequestsGiveMainsBytes(name: String) throws {
        let bytes = try #require(TranscodeRequests.golden.first { $0.name == name }).bytes
        let expected = try #require(TranscodeGolden.json(name))
        let parts = try validator.transcode(bytes[...], now: Self.now).parts
        #expect(parts.map(\.routingKey) == expected.map(\.routingKey))
        #expect(parts.map(\.events) == expected.map(\.events))
        #expect(parts.map(\.json) == expected.map(\.json))
        #expect(expected.allSatisfy { !$0.json.isEmpty })
    }

    /// Experiment ids unpacked (runs of tag-value pairs, broken by other fields), packed, and a non-canonical
    /// varint: the same JSON, and the same derived id (the canonical re-encoding) as the three passes.
    @Test func experimentIdsInEveryEncodingGiveTheSameBytes() throws {
        let unpacked: (UInt8) -> [UInt8] = { [0x88, 0x04, $0] }
        let packed: [UInt8] = [0x8A, 0x04, 0x03, 0x05, 0x86, 0x00]
        let event: [UInt8] =
            [0x2A, 0x0D] + Array("1700000000000".utf8) + unpacked(1) + unpacked(2) + [0x3A, 0x01, 0x78] + unpacked(3)
            + packed + unpacked(4) + [0x88, 0x04, 0xFF, 0x00]
        let header = Events(header: Header(deviceId: "d")).protobufBytes()
        let bytes = header + [0x2A, UInt8(event.count)] + event
        let expected = try #require(threePasses(bytes))
        #expect(onePass(bytes[...]) == expected)
        let json = String(decoding: try #require(expected.first).json, as: UTF8.self)
        #expect(json.contains(#""experimentIds":[1,2,3,5,6,4,127]"#), "\(json)")
    }

    /// A queued part is held for a whole round and the queue counts its bytes: its buffer must not be much larger
    /// (`JSONWriter.compactBytes`), whether the up-front guess was high (one small event) or low (long strings
    /// full of escapes).
    @Test(arguments: [1, 10, 100, 500])
    func partsAreStoredInBuffersThatFitThem(events: Int) throws {
        let plain = Events(
            header: TranscodeRequests.header,
            events: (0..<events).map { Event(timestamp: String(1_700_000_000_000 + $0), type: "app.open") }
        )
        let escaped = Events(
            header: TranscodeRequests.header,
            events: (0..<events).map {
                Event(
                    timestamp: String(1_700_000_000_000 + $0),
                    currentURL: String(repeating: "\"\n\u{1}", count: 40),
                    type: "app.open"
                )
            }
        )
        for batch in [plain, escaped] {
            for part in try validator.transcode(batch.protobufBytes()[...], now: Self.now).parts {
                #expect(part.json.capacity - part.json.count <= part.json.count / 8 + 16, "\(part.json.capacity)")
            }
        }
    }

    @Test func countsEventsAndClampedTimestamps() throws {
        let call = try validator.transcode(TranscodeRequests.mixed.protobufBytes()[...], now: Self.now)
        #expect(call.events == 5)
        #expect(call.clamped == 1)
        #expect(call.parts.map(\.routingKey) == ["app.open", "log.trace", "app.event"])
        #expect(call.parts.map(\.events) == [2, 1, 2])
        #expect(call.bytes == call.parts.reduce(0) { $0 + $1.json.count })
    }

    @Test(arguments: [
        ([], "the batch has no events"), ([0x0A], "not a valid event.Events message"),
        (
            Events(header: Header(sessionId: "s"), events: [Event(timestamp: "1700000000000")]).protobufBytes(),
            "deviceId (or bbDeviceId) is required"
        ),
        (
            Events(header: Header(deviceId: "d"), events: [Event(timestamp: "12")]).protobufBytes(),
            "events[0].timestamp 12 is before the year 2000"
        ),
        (
            Events(header: Header(deviceId: "d"), events: [Event(timestamp: "1700000000000", type: "a b")])
                .protobufBytes(), "events[0].type \"a b\" must be"
        ),
        (
            Events(
                header: Header(deviceId: "d"),
                events: [
                    Event(timestamp: "1700000000000", attributes: [Attribute(key: "k")])
                ]
            ).protobufBytes(), "events[0].attributes[0] (k) has no value"
        ),
        (
            Events(
                header: Header(deviceId: "d"),
                events: Array(repeating: Event(timestamp: "1700000000000"), count: 501)
            )
            .protobufBytes(), "the batch has at least 501 events; at most 500 are allowed"
        ),
        (
            Events(
                header: Header(deviceId: "d", utmSource: String(repeating: "u", count: 8193)),
                events: [
                    Event(timestamp: "1700000000000")
                ]
            ).protobufBytes(), "header.utmSource is 8193 bytes; at most 8192 are allowed"
        ),
        (
            Events(
                header: Header(deviceId: "d"),
                events: [
                    Event(timestamp: "1700000000000", experimentIds: Array(repeating: 1, count: 10_001))
                ]
            ).protobufBytes(), "events[0] has at least 10001 experimentIds"
        ),
    ])
    func refusesWithTheReason(bytes: [UInt8], reason: String) {
        #expect(throws: IngestError.self) { try validator.transcode(bytes[...], now: Self.now) }
        do {
            _ = try validator.transcode(bytes[...], now: Self.now)
        } catch {
            #expect(error.code == .invalidBatch)
            #expect(error.message.contains(reason), "\(error.message)")
        }
    }
}
