import AMQPClient
import EventWire
import Foundation
import Testing

@testable import IngestPipeline

@Suite struct BatchMessagesTests {
    func event(_ id: String, _ type: String) -> IngestedEvent {
        IngestedEvent(
            id: id,
            type: type,
            timestampMilliseconds: 1_700_000_000_000,
            originalTimestampMilliseconds: 1_700_000_000_000,
            timestampCorrected: false
        )
    }

    @Test func oneMessagePerRoutingKeyInFirstSeenOrder() throws {
        let header = Header(deviceId: "d")
        let messages = BatchMessages.make(
            header: header,
            events: [event("1", "b"), event("2", "a"), event("3", "b")],
            exchange: "events"
        )
        #expect(messages.map(\.routingKey) == ["b", "a"])
        #expect(Set(messages.map(\.messageID)).count == 2)
        #expect(messages.allSatisfy { $0.exchange == "events" && $0.persistent && $0.mandatory })
        let first = try #require(JSONSerialization.jsonObject(with: Data(messages[0].body)) as? [String: Any])
        let events = try #require(first["events"] as? [[String: Any]])
        #expect(events.compactMap { $0["id"] as? String } == ["1", "3"])
        #expect((first["header"] as? [String: Any])?["deviceId"] as? String == "d")
    }
}
