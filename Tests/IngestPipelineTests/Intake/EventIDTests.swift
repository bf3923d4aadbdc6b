import EventWire
import Testing

@testable import IngestPipeline

/// Promise P3 for events without ids: a retried batch gets the same ids, distinct events get distinct ones.
@Suite struct EventIDTests {
    let validator = BatchValidator(limits: IngestLimits())

    func batch(device: String = "d1", session: String = "s1", _ events: [Event]) -> Events {
        Events(header: Header(sessionId: session, deviceId: device), events: events)
    }

    static let events = [
        Event(timestamp: "1700000000000", type: "app.open"),
        Event(timestamp: "1700000000000", type: "app.open"),
        Event(timestamp: "1700000000001", currentURL: "/cart", type: "app.view"),
    ]

    func ids(_ batch: Events, now: Int64 = 1_800_000_000_000) throws -> [String] {
        try validator.validate(batch, now: now).map(\.id)
    }

    @Test func theSameBatchSentAgainGetsTheSameIDs() throws {
        // A retry arrives later: the gateway's clock must not enter the id.
        #expect(try ids(batch(Self.events)) == ids(batch(Self.events), now: 1_800_000_009_999))
    }

    @Test func identicalEventsAtDifferentPositionsGetDifferentIDs() throws {
        let ids = try ids(batch(Self.events))
        #expect(Set(ids).count == 3)
    }

    @Test(arguments: [("d2", "s1"), ("d1", "s2")])
    func anotherDeviceOrSessionGetsOtherIDs(device: String, session: String) throws {
        let first = try ids(batch(Self.events))
        let other = try ids(batch(device: device, session: session, Self.events))
        #expect(Set(first).isDisjoint(with: other))
    }

    @Test func clientIDsAreKeptAndDoNotShiftTheOthers() throws {
        var withID = Self.events
        withID[1].id = "client-chosen"
        let derived = try ids(batch(Self.events))
        let mixed = try ids(batch(withID))
        #expect(mixed == [derived[0], "client-chosen", derived[2]])
    }

    @Test func idsAreVersion8UUIDs() throws {
        for id in try ids(batch(Self.events)) {
            let groups = id.split(separator: "-").map(\.count)
            #expect(groups == [8, 4, 4, 4, 12], "\(id)")
            #expect(id == id.lowercased())
            #expect(id[id.index(id.startIndex, offsetBy: 14)] == "8", "version nibble in \(id)")
            #expect("89ab".contains(id[id.index(id.startIndex, offsetBy: 19)]), "variant in \(id)")
        }
    }

    @Test func theRuleIsPinned() {
        // Golden value: changing the derivation would give retried batches new ids across a deploy.
        let id = EventID.derive(
            header: Header(deviceId: "d1").protobufBytes(),
            event: Event(timestamp: "1700000000000", type: "app.open"),
            position: 0
        )
        #expect(id == EventIDTests.pinned)
    }

    static let pinned = "2ac9e836-4f89-8f4f-89d4-48f74bb58057"
}
