import ClickHouseClient
import EventWire
import Foundation
import Testing

@testable import SinkPipeline

@Suite struct MessageRowsTests {
    typealias D = Decoding

    @Test func aGatewayMessageOfOneCallBecomesRowsWithEveryColumn() throws {
        let body = EventEnvelope(header: D.fullHeader, events: [D.sampleEvent]).jsonBytes()
        let rows = try D.rows(body, messageID: "m\"1")
        #expect(rows.count == 1 && rows.rejected == nil)
        let row = try #require(try D.objects(rows).first)
        #expect(Set(row.keys) == Set(EventTable.columns.map(\.name)))
        #expect(row["event_id"] as? String == "e1")
        #expect(row["event_type"] as? String == "app.open")
        #expect(row["timestamp"] as? Int == 1_700_000_000)
        #expect(row["timestamp_ms"] as? Int == 1_700_000_000_000)
        #expect(row["original_timestamp_ms"] as? Int == 1_800_000_000_000)
        #expect(row["timestamp_corrected"] as? Int == 1)
        #expect(row["current_url"] as? String == "/a?b=c")
        #expect(row["experiment_ids"] as? [Int] == [1, -2, Int(Int64.max)])
        #expect(row["message_id"] as? String == "m\"1")
        // The single-call shape carries no receive time: the delivery's time stands in.
        #expect(row["received_at"] as? Int == Int(D.deliveredAt / 1000))
        #expect(row["received_at_ms"] as? Int == Int(D.deliveredAt))
        #expect(row["written_at"] as? Int == Int(D.writtenAt))
        let expected: [String: Any] = [
            "session_id": "s\"1", "bb_device_id": -42, "user_id": 7, "device_id": "d\n1",
            "android_advertising_id": "aaid", "client_id": "client", "channel": "store", "os": "android",
            "client_type": "app", "app_language": "en", "app_version": "2.0", "app_version_code": "200",
            "header_current_url": "/header", "merchant_id": "merchant", "utm_referrer": "referrer",
            "utm_platform": "platform", "utm_source": "source", "utm_medium": "medium", "utm_campaign": "ünï",
            "pp_id": "pp",
        ]
        for (column, value) in expected {
            #expect("\(row[column] ?? "missing")" == "\(value)", "column \(column)")
        }
        let attributes = try D.attributes(row)
        #expect(attributes["s"] as? String == "x\\y \"q\"\n")
        #expect(attributes["i"] as? Int == -9_007_199_254_740_993)
        #expect(attributes["d"] as? Double == 2.0)
        #expect(attributes["b"] as? Bool == false)
        let text = try #require(row["attributes"] as? String)
        #expect(text == #"{"s":"x\\y \"q\"\n","i":-9007199254740993,"d":2.0,"b":false}"#, "order and text kept")
    }

    @Test func aCallsMessageGivesEachRowItsCallsHeaderAndReceiveTime() throws {
        var second = Header(sessionId: "s-2", userId: 2, currentURL: "/second")
        second.ppId = "pp-2"
        let body = D.callsBody([
            (D.fullHeader, 1_700_000_000_123, [D.event("a"), D.event("b")]),
            (second, 1_700_000_001_456, [D.event("c")]),
        ])
        let rows = try D.rows(body)
        #expect(rows.count == 3 && rows.rejected == nil)
        let objects = try D.objects(rows)
        #expect(objects.map { $0["event_id"] as? String } == ["a", "b", "c"])
        #expect(objects.map { $0["session_id"] as? String } == ["s\"1", "s\"1", "s-2"])
        #expect(
            objects.map { $0["received_at_ms"] as? Int } == [1_700_000_000_123, 1_700_000_000_123, 1_700_000_001_456]
        )
        #expect(objects.map { $0["received_at"] as? Int } == [1_700_000_000, 1_700_000_000, 1_700_000_001])
        #expect(objects.map { $0["pp_id"] as? String } == ["pp", "pp", "pp-2"])
        // An event without a page of its own takes its header's.
        #expect(objects.map { $0["current_url"] as? String } == ["/header", "/header", "/second"])
        #expect(objects.map { $0["header_current_url"] as? String } == ["/header", "/header", "/second"])
        #expect(objects.allSatisfy { Set($0.keys) == Set(EventTable.columns.map(\.name)) })
    }

    @Test func acceptsWhatOtherPublishersWrite() throws {
        let body = #"""
            {"events":[{"id":17,"timestamp":"1700000000000","timestampCorrected":"1","experimentIds":["5","x",6.0],
            "attributes":{"n":1.50,"z":null,"o":{"deep":[1]},"u":"caf\u00e9 \ud83d\ude00 \/"}}]}
            """#
        let rows = try D.rows(body, routingKey: "log.trace")
        let row = try #require(try D.objects(rows).first)
        #expect(row["event_id"] as? String == "17")
        #expect(row["event_type"] as? String == "log.trace", "a missing type is the routing key")
        #expect(row["timestamp_ms"] as? Int == 1_700_000_000_000)
        #expect(row["original_timestamp_ms"] as? Int == 1_700_000_000_000, "a missing original is the timestamp")
        #expect(row["timestamp_corrected"] as? Int == 1)
        #expect(row["experiment_ids"] as? [Int] == [5, 6], "what is not an integer is skipped")
        #expect(row["session_id"] as? String == "" && row["bb_device_id"] as? Int == 0, "no header: empty columns")
        let text = try #require(row["attributes"] as? String)
        #expect(text == #"{"n":1.50,"u":"café 😀 /"}"#, "null and nested values dropped, escapes resolved")
    }

    @Test func membersMayComeInAnyOrder() throws {
        let single = #"""
            {"events":[{"timestamp":1700000000000,"id":"x"}],"extra":[{"a":[]}],"header":{"sessionId":"late"}}
            """#
        let row = try #require(try D.objects(D.rows(single)).first)
        #expect(row["session_id"] as? String == "late")
        let calls = #"""
            {"calls":[{"events":[{"id":"y","timestamp":1700000000000}],"receivedAt":"1700000000999",
            "header":{"userId":"12","currentURL":"/h"}}]}
            """#
        let callRow = try #require(try D.objects(D.rows(calls)).first)
        #expect(callRow["received_at_ms"] as? Int == 1_700_000_000_999)
        #expect(callRow["user_id"] as? Int == 12)
        #expect(callRow["current_url"] as? String == "/h")
        let noReceivedAt = #"{"calls":[{"header":{},"events":[{"id":"z","timestamp":1700000000000}]}]}"#
        let defaulted = try #require(try D.objects(D.rows(noReceivedAt)).first)
        #expect(defaulted["received_at_ms"] as? Int == Int(D.deliveredAt), "no receivedAt: the delivery's time")
    }

    @Test func integralNumbersAreReadAtTheEdgesOfTheRange() throws {
        let body = """
            {"events":[{"id":"a","timestamp":1.7e12,"originalTimestamp":-9223372036854775808,
            "experimentIds":[9223372036854775807,-0]}]}
            """
        let row = try #require(try D.objects(D.rows(body)).first)
        #expect(row["timestamp_ms"] as? Int == 1_700_000_000_000)
        #expect(row["original_timestamp_ms"] as? Int == Int(Int64.min))
        #expect(row["experiment_ids"] as? [Int] == [Int(Int64.max), 0])
    }

    @Test func laterAttributesOfTheSameNameWin() throws {
        let body = #"{"events":[{"id":"a","timestamp":1,"attributes":{"k":1,"j":true,"k":"two","\u006a":null}}]}"#
        let row = try #require(try D.objects(D.rows(body)).first)
        #expect(row["attributes"] as? String == #"{"k":"two"}"#)
    }

    @Test func rowsMatchTheFirstReleasesColumnsForEveryGatewayEvent() throws {
        // What the gateway writes for each attribute type reads back as the same typed value.
        let events = (0..<50).map { index in
            IngestedEvent(
                id: "id-\(index)",
                type: index % 2 == 0 ? "app.open" : "app.click",
                timestampMilliseconds: 1_700_000_000_000 + Int64(index),
                originalTimestampMilliseconds: 1_600_000_000_000 - Int64(index),
                timestampCorrected: index % 3 == 0,
                currentURL: index % 5 == 0 ? "" : "/p/\(index)",
                attributes: [
                    Attribute(key: "i\(index)", value: .int(Int64(index) * -1_000_003)),
                    Attribute(key: "d", value: .double(Double(index) / 7)),
                    Attribute(key: "s", value: .string(String(repeating: "é\t", count: index % 4))),
                ],
                experimentIds: Array(0..<Int64(index % 4))
            )
        }
        let rows = try D.rows(EventEnvelope(header: D.fullHeader, events: events).jsonBytes())
        let objects = try D.objects(rows)
        #expect(objects.count == events.count)
        for (event, row) in zip(events, objects) {
            #expect(row["event_id"] as? String == event.id)
            #expect(row["event_type"] as? String == event.type)
            #expect(row["original_timestamp_ms"] as? Int == Int(event.originalTimestampMilliseconds))
            #expect(row["timestamp_corrected"] as? Int == (event.timestampCorrected ? 1 : 0))
            #expect(row["current_url"] as? String == (event.currentURL.isEmpty ? "/header" : event.currentURL))
            #expect(row["experiment_ids"] as? [Int] == event.experimentIds.map(Int.init))
            let attributes = try D.attributes(row)
            for attribute in event.attributes {
                switch attribute.value {
                case .int(let value): #expect(attributes[attribute.key] as? Int == Int(value))
                case .double(let value): #expect(attributes[attribute.key] as? Double == value)
                case .string(let value): #expect(attributes[attribute.key] as? String == value)
                default: Issue.record("unexpected attribute")
                }
            }
        }
    }
}
