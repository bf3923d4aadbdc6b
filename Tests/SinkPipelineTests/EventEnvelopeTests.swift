import EventWire
import Testing

@testable import SinkPipeline

@Suite struct EventEnvelopeTests {
    static let sample = EventEnvelope(
        header: Header(
            sessionId: "s\"1",
            bbDeviceId: -42,
            userId: 7,
            deviceId: "d\n1",
            appVersion: "2.0",
            utmCampaign: "ünï"
        ),
        events: [
            IngestedEvent(
                id: "e1",
                type: "app.open",
                timestampMilliseconds: 1_700_000_000_000,
                originalTimestampMilliseconds: 1_800_000_000_000,
                timestampCorrected: true,
                currentURL: "/a?b=c",
                attributes: [
                    Attribute(key: "s", value: .string("x\\y")),
                    Attribute(key: "i", value: .int(-9_007_199_254_740_993)),
                    Attribute(key: "d", value: .double(2.0)), Attribute(key: "b", value: .bool(false)),
                ],
                experimentIds: [1, -2, Int64.max]
            )
        ]
    )

    @Test func jsonRoundTripsEveryField() throws {
        let decoded = try EventEnvelope.decode(json: Self.sample.jsonBytes(), routingKey: "ignored")
        var expected = Self.sample
        expected.events[0].attributes.sort { $0.key < $1.key }
        #expect(decoded == expected)
    }

    @Test func acceptsForeignPublishersShape() throws {
        let body = #"{"events":[{"id":"x","timestamp":"1700000000000"}]}"#
        let decoded = try EventEnvelope.decode(json: Array(body.utf8), routingKey: "log.trace")
        #expect(decoded.events[0].type == "log.trace")
        #expect(decoded.events[0].timestampMilliseconds == 1_700_000_000_000)
        #expect(decoded.events[0].originalTimestampMilliseconds == 1_700_000_000_000)
        #expect(decoded.header == Header())
    }

    @Test(arguments: ["", "not json", "[1,2]", #"{"header":{}}"#, #"{"events":[1]}"#, #"{"header":3,"events":[]}"#])
    func refusesWhatIsNotAnEnvelope(body: String) {
        #expect {
            try EventEnvelope.decode(json: Array(body.utf8), routingKey: "k")
        } throws: { ($0 as? SinkError)?.code == .decode }
    }
}
