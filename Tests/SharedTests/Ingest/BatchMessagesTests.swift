import Testing

@testable import Shared

@Suite struct BatchMessagesTests {
    func event(_ id: String, _ type: String) -> IngestedEvent {
        IngestedEvent(
            id: id, type: type, timestampMilliseconds: 1_700_000_000_000,
            originalTimestampMilliseconds: 1_700_000_000_000, timestampCorrected: false)
    }

    @Test func oneMessagePerRoutingKeyInFirstSeenOrder() throws {
        let header = Header(deviceId: "d")
        let messages = BatchMessages.make(
            header: header, events: [event("1", "b"), event("2", "a"), event("3", "b")], exchange: "events")
        #expect(messages.map(\.routingKey) == ["b", "a"])
        #expect(Set(messages.map(\.messageID)).count == 2)
        #expect(messages.allSatisfy { $0.exchange == "events" && $0.persistent && $0.mandatory })
        let first = try EventEnvelope.decode(json: messages[0].body, routingKey: "b")
        #expect(first.events.map(\.id) == ["1", "3"])
        #expect(first.header == header)
    }
}
