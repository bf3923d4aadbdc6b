import EventWire
import Foundation
import Testing

@testable import SinkPipeline

/// Row validation: a bad value refuses its event (or its call), never the whole message, and never traps.
@Suite struct MessageRowsRejectionTests {
    typealias D = Decoding

    static let good = #"{"id":"good","timestamp":1700000000000}"#

    /// A single-call message of a good event, `bad`, and another good event.
    static func mixed(_ bad: String, header: String = #"{"sessionId":"s"}"#) -> String {
        #"{"header":\#(header),"events":[\#(good),\#(bad),\#(good)]}"#
    }

    @Test(arguments: [
        (#"{"timestamp":1700000000000}"#, "events[1] has no id"),
        (#"{"id":"","timestamp":1700000000000}"#, "events[1] has no id"),
        (#"{"id":"x","type":"","timestamp":1700000000000}"#, "events[1] has no type"),
        (#"{"id":"x"}"#, "events[1] has no valid timestamp"),
        (#"{"id":"x","timestamp":0}"#, "events[1] has no valid timestamp"),
        (#"{"id":"x","timestamp":-5}"#, "events[1] has no valid timestamp"),
        (#"{"id":"x","timestamp":1.5}"#, "events[1] has no valid timestamp"),
        (#"{"id":"x","timestamp":"soon"}"#, "events[1] has no valid timestamp"),
        (#"{"id":"x","timestamp":99999999999999999999}"#, "events[1].timestamp is out of range"),
        (#"{"id":"x","timestamp":"9223372036854775808"}"#, "events[1].timestamp is out of range"),
        (#"{"id":"x","timestamp":1e300}"#, "events[1].timestamp is out of range"),
        (#"{"id":"x","timestamp":4294967296000}"#, "events[1].timestamp is out of range"),
        (#"{"id":"x","timestamp":4294967295000}"#, "events[1].timestamp is out of range"),
        (#"{"id":"x","timestamp":4291747200000}"#, "events[1].timestamp is out of range"),
        (#"{"id":"x","timestamp":"9223372036854775807"}"#, "events[1].timestamp is out of range"),
        (#"{"id":"x","timestamp":1,"originalTimestamp":-9223372036854775809}"#, "originalTimestamp is out of range"),
        (#"{"id":"x","timestamp":1,"experimentIds":[1,18446744073709551616]}"#, "experimentIds holds a value"),
        (#"{"id":"x","timestamp":1,"attributes":{"n":-9223372036854775809}}"#, "attributes holds an integer"),
        (#"{"id":"\ud800","timestamp":1}"#, "events[1].id is not valid UTF-8 text"),
        (#"{"id":"\udc00\ud800","timestamp":1}"#, "events[1].id is not valid UTF-8 text"),
        (#"{"id":"\x","timestamp":1}"#, "events[1].id is not valid UTF-8 text"),
        (#"{"id":"x","type":"\u12","timestamp":1}"#, "events[1].type is not valid UTF-8 text"),
        ("{\"id\":\"tab\there\",\"timestamp\":1}", "events[1].id is not valid UTF-8 text"),
        (#"{"id":"x","timestamp":1,"currentURL":"\ud83d"}"#, "events[1].currentURL is not valid UTF-8 text"),
        (#"{"id":"x","timestamp":1,"attributes":{"k":"\ud83d"}}"#, "attributes holds a string"),
        (#"{"id":"x","timestamp":1,"attributes":{"\ud83d":1}}"#, "attributes holds a name"),
    ])
    func aBadValueRefusesOnlyItsEvent(bad: String, reason: String) throws {
        let rows = try D.rows(Self.mixed(bad))
        #expect(rows.count == 2)
        let rejected = try #require(rows.rejected)
        #expect(rejected.count == 1 && rejected.total == 3)
        #expect(rejected.summary.contains(reason), "\(rejected.summary)")
        #expect(String(decoding: rejected.body, as: UTF8.self) == #"{"header":{"sessionId":"s"},"events":[\#(bad)]}"#)
    }

    /// ClickHouse 18.16 reads a `DateTime` in 2106 back as 1970: the last second of 2105 is the latest kept.
    @Test func theLastSecondOf2105IsTheLatestTimestampKept() throws {
        let rows = try D.rows(Self.mixed(#"{"id":"late","timestamp":4291747199999,"receivedAt":1}"#))
        #expect(rows.count == 3 && rows.rejected == nil)
        let late = try D.objects(rows).first { $0["event_id"] as? String == "late" }
        #expect(late?["timestamp"] as? Int == 4_291_747_199)
    }

    @Test(
        arguments: [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] as [[UInt8]]
    )
    func invalidUTF8RefusesItsEvent(bytes: [UInt8]) throws {
        let body =
            Array(#"{"events":[{"id":"ok","timestamp":1},{"id":"a"#.utf8) + bytes
            + Array(#"b","timestamp":1}]}"#.utf8)
        let rows = try D.rows(body)
        #expect(rows.count == 1)
        #expect(rows.rejected?.reasons == ["events[1].id is not valid UTF-8 text"])
        #expect(rows.rejected?.body == Array(#"{"events":["#.utf8) + Array(body[37..<(body.count - 2)]) + [93, 125])
    }

    @Test(arguments: [
        (#"{"bbDeviceId":99999999999999999999}"#, "header.bbDeviceId is out of range"),
        (#"{"userId":"-9223372036854775809"}"#, "header.userId is out of range"),
        (#"{"ppId":"\udfff"}"#, "header.ppId is not valid UTF-8 text"),
    ])
    func aBadHeaderValueRefusesTheEventsOfItsCall(header: String, reason: String) throws {
        let body = #"""
            {"calls":[{"header":{"sessionId":"fine"},"receivedAt":1700000000000,"events":[\#(Self.good)]},
            {"header":\#(header),"receivedAt":1700000000001,"events":[\#(Self.good),\#(Self.good)]}]}
            """#
        let rows = try D.rows(body)
        #expect(rows.count == 1)
        let rejected = try #require(rows.rejected)
        #expect(rejected.count == 2)
        #expect(rejected.reasons == ["calls[1].\(reason)", "calls[1].\(reason)"])
        #expect(rejected.summary == "2 of 3 events refused: calls[1].\(reason); calls[1].\(reason)")
        let expected = #"""
            {"calls":[{"header":\#(header),"receivedAt":1700000000001,"events":[\#(Self.good),\#(Self.good)]}]}
            """#
        #expect(String(decoding: rejected.body, as: UTF8.self) == expected)
    }

    @Test(arguments: ["-1", "99999999999999999999", "4294967296000", "4291747200000", "9223372036854775807"])
    func aReceiveTimeOutOfRangeRefusesItsCall(receivedAt: String) throws {
        let body = #"{"calls":[{"header":{},"receivedAt":\#(receivedAt),"events":[\#(Self.good)]}]}"#
        let error = try #require(D.error(body))
        #expect(error.code == .badRow)
        #expect(error.message == "calls[0].receivedAt is out of range")
    }

    @Test func theRefusedEventsOfACallsMessageKeepTheirCallsHeaderAndReceiveTime() throws {
        let calls = D.callsBody([
            (Header(sessionId: "one"), 1_700_000_000_001, [D.event("a"), D.event(""), D.event("c", timestamp: 0)]),
            (Header(sessionId: "two"), 1_700_000_000_002, [D.event("d")]),
            (Header(sessionId: "three"), 1_700_000_000_003, [D.event("")]),
        ])
        let rows = try D.rows(calls)
        #expect(try D.objects(rows).map { $0["event_id"] as? String } == ["a", "d"])
        let rejected = try #require(rows.rejected)
        #expect(
            rejected.reasons == [
                "calls[0].events[1] has no id", "calls[0].events[2] has no valid timestamp",
                "calls[2].events[0] has no id",
            ]
        )
        let copy = try #require(try JSONSerialization.jsonObject(with: Data(rejected.body)) as? [String: Any])
        let copiedCalls = try #require(copy["calls"] as? [[String: Any]])
        #expect(copiedCalls.count == 2)
        #expect(copiedCalls.map { ($0["header"] as? [String: Any])?["sessionId"] as? String } == ["one", "three"])
        #expect(copiedCalls.map { $0["receivedAt"] as? Int } == [1_700_000_000_001, 1_700_000_000_003])
        #expect(copiedCalls.map { ($0["events"] as? [Any])?.count } == [2, 1])
        // Replayed as it is, the copy is refused again, for the same reasons: nothing else is in it.
        let again = try #require(D.error(rejected.body))
        #expect(again.code == .badRow)
        #expect(
            again.message
                == "3 of 3 events refused: calls[0].events[0] has no id; calls[0].events[1] has no valid timestamp; "
                + "calls[1].events[0] has no id"
        )
    }

    @Test func theSummaryKeepsTheFirstReasons() throws {
        let bad = Array(repeating: #"{"timestamp":1}"#, count: 8).joined(separator: ",")
        let rows = try D.rows(#"{"events":[\#(Self.good),\#(bad)]}"#)
        let rejected = try #require(rows.rejected)
        #expect(rejected.count == 8 && rejected.reasons.count == RejectedEvents.maximumReasons)
        #expect(rejected.summary.hasPrefix("8 of 9 events refused: events[1] has no id; events[2] has no id;"))
        #expect(rejected.summary.hasSuffix("events[5] has no id; ..."))
    }

    @Test(arguments: [
        (#"{"header":{},"events":[]}"#, "the message has no events"),
        (#"{"calls":[]}"#, "the message has no events"),
        (#"{"calls":[{"header":{},"events":[]}]}"#, "the message has no events"),
        (#"{"events":[{"type":"t","timestamp":1}]}"#, "events[0] has no id"),
        (#"{"events":[{"id":"a"},{"id":"b"}]}"#, "2 of 2 events refused: events[0] has no valid timestamp; "),
    ])
    func aMessageWithoutAGoodEventIsABadRow(body: String, reason: String) throws {
        let error = try #require(D.error(body))
        #expect(error.code == .badRow)
        #expect(error.message.hasPrefix(reason), "\(error.message)")
    }

    @Test func aMissingTypeWithoutRoutingKeyIsRefused() throws {
        let error = try #require(D.error(#"{"events":[{"id":"a","timestamp":1}]}"#, routingKey: ""))
        #expect(error.message == "events[0] has no type")
    }
}
