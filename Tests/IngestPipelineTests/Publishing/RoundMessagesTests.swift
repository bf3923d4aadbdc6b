import AMQPClient
import EventWire
import Foundation
import Testing

@testable import IngestPipeline

@Suite struct RoundMessagesTests {
    static func event(_ id: String, _ type: String) -> IngestedEvent {
        IngestedEvent(
            id: id,
            type: type,
            timestampMilliseconds: 1_700_000_000_000,
            originalTimestampMilliseconds: 1_700_000_000_000,
            timestampCorrected: false
        )
    }

    static func call(_ device: String, receivedAt: Int64, _ events: [IngestedEvent]) -> [CallPart] {
        CallPart.parts(header: Header(deviceId: device), receivedAtMilliseconds: receivedAt, events: events)
    }

    @Test func aCallSplitsByRoutingKeyInFirstSeenOrder() {
        let parts = Self.call("d", receivedAt: 5, [Self.event("1", "b"), Self.event("2", "a"), Self.event("3", "b")])
        #expect(parts.map(\.routingKey) == ["b", "a"])
        #expect(parts.map(\.events) == [2, 1])
    }

    @Test func oneMessagePerRoutingKeyCarriesEveryCallsPartInQueueOrder() throws {
        let first = Self.call("d1", receivedAt: 10, [Self.event("1", "b"), Self.event("2", "a")])
        let second = Self.call("d2", receivedAt: 20, [Self.event("3", "b")])
        let messages = RoundMessages.make([first, second], exchange: "events")
        #expect(messages.map(\.routingKey) == ["b", "a"])
        #expect(Set(messages.map(\.messageID)).count == 2)
        #expect(messages.allSatisfy { $0.exchange == "events" && $0.persistent && $0.mandatory })
        let body = try #require(JSONSerialization.jsonObject(with: Data(messages[0].body)) as? [String: Any])
        let calls = try #require(body["calls"] as? [[String: Any]])
        #expect(calls.count == 2)
        #expect(calls.map { ($0["header"] as? [String: Any])?["deviceId"] as? String } == ["d1", "d2"])
        #expect(calls.map { $0["receivedAt"] as? Int } == [10, 20])
        #expect(calls.map { ($0["events"] as? [[String: Any]])?.compactMap { $0["id"] as? String } } == [["1"], ["3"]])
    }

    @Test func theBodyIsTheCallsJoined() {
        let calls = [Array(#"{"a":1}"#.utf8), Array(#"{"b":2}"#.utf8)]
        let body = CallsMessage.body(calls)
        #expect(String(decoding: body, as: UTF8.self) == #"{"calls":[{"a":1},{"b":2}]}"#)
        #expect(CallsMessage.size(of: calls) == body.count)
    }
}
