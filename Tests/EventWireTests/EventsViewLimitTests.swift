import Testing

@testable import EventWire

/// A hostile request against `DecodeLimits`: refused with `limitExceeded` as soon as the decoder counts one item
/// too many, before it reads (or allocates for) the rest. Each request ends in a truncated varint: a decoder that
/// went on would report `truncated` instead.
struct HostileRequest: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    /// Words the refusal names.
    let reason: String

    var testDescription: String { name }

    static let limits = DecodeLimits(
        maxEvents: 500,
        maxAttributesPerEvent: 64,
        maxExperimentIdsPerEvent: 256,
        maxStringBytes: 8192
    )
    /// A varint cut short: what follows every hostile part.
    static let tail: [UInt8] = [0x08, 0xFF]

    static func event(_ content: [UInt8]) -> [UInt8] { MalformedInput.field(0x2A, content) }

    static let all: [HostileRequest] = [
        HostileRequest(
            name: "a million empty events",
            bytes: Array([[0x2A, 0x00]].joined()) + Array(repeating: [UInt8]([0x2A, 0x00]), count: 1_000_000).joined()
                + tail,
            reason: "at least 501 events"
        ),
        HostileRequest(
            name: "100,000 attributes in one event",
            bytes: event(Array(repeating: [UInt8]([0x42, 0x00]), count: 100_000).joined() + tail),
            reason: "events[0] has at least 65 attributes"
        ),
        HostileRequest(
            name: "a million packed experiment ids",
            bytes: event(
                [0x8A, 0x04] + MalformedInput.varint(1_000_000) + Array(repeating: 0x01, count: 1_000_000) + tail
            ),
            reason: "events[0] has at least 257 experimentIds"
        ),
        HostileRequest(
            name: "100,000 unpacked experiment ids",
            bytes: event(Array(repeating: [UInt8]([0x88, 0x04, 0x07]), count: 100_000).joined() + tail),
            reason: "events[0] has at least 257 experimentIds"
        ),
        HostileRequest(
            name: "a 1 MiB header string",
            bytes: MalformedInput.field(
                0x22,
                [0xBA, 0x01] + MalformedInput.varint(1 << 20) + Array(repeating: 0x61, count: 1 << 20)
            ) + tail,
            reason: "header.utmCampaign is 1048576 bytes"
        ),
        HostileRequest(
            name: "an 8193-byte attribute key in the second event",
            bytes: event([])
                + event(MalformedInput.field(0x42, MalformedInput.field(0x0A, Array(repeating: 0x61, count: 8193))))
                + tail,
            reason: "events[1].attributes[0].key is 8193 bytes"
        ),
        HostileRequest(
            name: "an 8193-byte event id",
            bytes: event(MalformedInput.field(0x22, Array(repeating: 0x61, count: 8193))) + tail,
            reason: "events[0].id is 8193 bytes"
        ),
    ]
}

@Suite struct EventsViewLimitTests {
    @Test(arguments: HostileRequest.all)
    func hostileRequestsAreRefusedWhileCounting(_ request: HostileRequest) {
        do {
            _ = try EventsView(protobuf: request.bytes[...], limits: HostileRequest.limits)
            Issue.record("\(request.name) was accepted")
        } catch {
            #expect(error.code == .limitExceeded, "\(error)")
            #expect(error.message.contains(request.reason), "\(error.message)")
        }
    }

    /// Exactly at every limit is accepted.
    @Test func requestsAtTheLimitsAreAccepted() throws {
        let event = Event(
            id: String(repeating: "i", count: 8192),
            attributes: Array(repeating: Attribute(key: "k", value: .int(1)), count: 64),
            experimentIds: Array(repeating: 3, count: 256)
        )
        let events = Events(
            header: Header(utmCampaign: String(repeating: "c", count: 8192)),
            events: Array(repeating: event, count: 500)
        )
        let view = try EventsView(protobuf: events.protobufBytes()[...], limits: HostileRequest.limits)
        #expect(view.events.count == 500)
        #expect(view.attributes.count == 500 * 64)
        #expect(view.events.allSatisfy { $0.experimentIdCount == 256 })
        // One packed run per event, whatever its count: the ids stay in the request.
        #expect(view.experimentIdRuns.count == 500)
    }

    /// A length prefix that claims more than the request holds is refused without allocating it; nesting is
    /// bounded as for `Events`.
    @Test(arguments: [
        ("claims 2 GiB", [0x2A] + MalformedInput.varint(UInt64(Int32.max)), WireError.Code.truncated),
        ("claims 4 GiB", [0x2A] + MalformedInput.varint(1 << 32), .lengthOverflow),
        ("200 nested groups", Array(repeating: 0x0B, count: 200), .nestingTooDeep),
    ])
    func claimsBeyondTheInputAreRefused(_ name: String, _ bytes: [UInt8], _ code: WireError.Code) {
        #expect(throws: WireError.self) { try EventsView(protobuf: bytes[...], limits: HostileRequest.limits) }
        do {
            _ = try EventsView(protobuf: bytes[...], limits: HostileRequest.limits)
        } catch {
            #expect(error.code == code, "\(name): \(error)")
        }
    }

    /// A header sent 100,000 times is merged into one (nothing grows).
    @Test func repeatedHeadersMerge() throws {
        let header = MalformedInput.field(0x22, MalformedInput.field(0x42, Array("device".utf8)))
        let bytes = Array(repeating: header, count: 100_000).joined() + HostileRequest.event([])
        let view = try EventsView(protobuf: Array(bytes)[...], limits: HostileRequest.limits)
        #expect(view.header.string(field: 8).count == 6)
        #expect(view.events.count == 1)
    }
}
