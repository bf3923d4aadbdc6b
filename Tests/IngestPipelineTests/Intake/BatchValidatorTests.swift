import EventWire
import Testing

@testable import IngestPipeline

@Suite struct BatchValidatorTests {
    static let now: Int64 = 1_800_000_000_000
    let validator = BatchValidator(limits: IngestLimits())

    func batch(_ events: [Event], deviceId: String = "device-1") -> Events {
        Events(header: Header(deviceId: deviceId), events: events)
    }

    @Test func acceptsAndAssignsMissingIDs() throws {
        let accepted = try validator.validate(
            batch([
                Event(id: "", timestamp: "1700000000000", type: "app.open"),
                Event(id: "e2", timestamp: "1")
                    .with { $0.timestamp = "1700000000001" },
            ]),
            now: Self.now
        )
        #expect(accepted[0].id.count == 36 && accepted[0].id != "")
        #expect(accepted[1].id == "e2")
        #expect(accepted.map(\.type) == ["app.open", IngestedEvent.defaultType])
        #expect(accepted.allSatisfy { !$0.timestampCorrected })
    }

    @Test func clampsFutureTimestampsAndKeepsTheOriginal() throws {
        let future = Self.now + 86_400_000
        let accepted = try validator.validate(batch([Event(id: "f", timestamp: String(future))]), now: Self.now)
        #expect(accepted[0].timestampMilliseconds == Self.now)
        #expect(accepted[0].originalTimestampMilliseconds == future)
        #expect(accepted[0].timestampCorrected)
    }

    @Test(arguments: [
        ("abc", "events[1].timestamp \"abc\""), ("-5", "events[1].timestamp \"-5\""), ("", "events[1].timestamp \"\""),
        ("12", "before the year 2000"), ("99999999999999999999", "is not a decimal number"),
    ])
    func refusesBadTimestampsNamingTheEvent(timestamp: String, expected: String) {
        let bad = batch([Event(id: "ok", timestamp: "1700000000000"), Event(id: "bad", timestamp: timestamp)])
        #expect {
            try validator.validate(bad, now: Self.now)
        } throws: { error in
            let status = error as? IngestError
            return status?.code == .invalidBatch && status?.message.contains(expected) == true
        }
    }

    @Test func refusesMissingDeviceOversizedFieldsAndTooManyEvents() {
        let event = Event(id: "e", timestamp: "1700000000000")
        var limits = IngestLimits()
        limits.maxEventsPerBatch = 2
        limits.maxFieldBytes = 10
        let strict = BatchValidator(limits: limits)
        let cases: [(Events, String)] = [
            (batch([event], deviceId: ""), "deviceId"),
            (batch([event, event, event]), "3 events; at most 2"),
            (
                batch([Event(id: String(repeating: "x", count: 11), timestamp: "1700000000000")]),
                "events[0].id is 11 bytes"
            ),
            (batch([]), "no events"),
            (batch([Event(id: "e", timestamp: "1700000000000", type: "bad type!")]), "events[0].type"),
            (
                batch([Event(id: "e", timestamp: "1700000000000", attributes: [Attribute(key: "k", value: nil)])]),
                "attributes[0] (k) has no value"
            ),
            (
                batch([
                    Event(id: "e", timestamp: "1700000000000", attributes: [Attribute(key: "k", value: .double(.nan))])
                ]),
                "finite"
            ),
        ]
        for (input, expected) in cases {
            #expect(throws: IngestError.self) { try strict.validate(input, now: Self.now) }
            do {
                _ = try strict.validate(input, now: Self.now)
            } catch {
                #expect(error.message.contains(expected), "\(error.message) should mention \(expected)")
            }
        }
    }
}

extension Event {
    func with(_ change: (inout Event) -> Void) -> Event {
        var copy = self
        change(&copy)
        return copy
    }
}
