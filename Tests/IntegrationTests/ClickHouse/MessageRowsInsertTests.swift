import AMQPClient
import ClickHouseClient
import EventWire
import Foundation
import SinkPipeline
import Testing

/// Rows rendered straight from a broker message's bytes are what ClickHouse stores, value for value.
@Suite(.needsClickHouse) struct MessageRowsInsertTests {
    typealias Support = ClickHouseTestSupport

    static func delivery(_ body: [UInt8]) -> Delivery {
        Delivery(
            body: body,
            exchange: "events",
            routingKey: "app.open",
            messageID: "m-insert",
            headers: [:],
            redelivered: false,
            deliveryTag: 1
        )
    }

    @Test func aLargeCallsMessageLandsInOneInsertWithEveryValueIntact() throws {
        guard TestServers.clickHouseAvailable() else { return }
        try Support.withEventTable { connection, table in
            var json = JSONWriter()
            json.raw(#"{"calls":["#)
            for call in 0..<10 {
                if call > 0 { json.comma() }
                json.raw(#"{"header":"#)
                Header(sessionId: "s-\(call)", userId: Int64(call), utmCampaign: "ü'\"\\ \(call)").writeJSON(to: &json)
                json.raw(#","receivedAt":"#)
                json.int(1_700_000_000_000 + Int64(call))
                json.raw(#","events":["#)
                for index in 0..<500 {
                    if index > 0 { json.comma() }
                    IngestedEvent(
                        id: "e-\(call)-\(index)",
                        type: "app.open",
                        timestampMilliseconds: 1_700_000_000_000,
                        originalTimestampMilliseconds: 1_800_000_000_000,
                        timestampCorrected: true,
                        currentURL: "/p?q=日本&x=\"y\"\t😀",
                        attributes: [
                            Attribute(key: "quote\"d", value: .string("a\\b\n\u{1}")),
                            Attribute(key: "n", value: .int(Int64(index))),
                        ],
                        experimentIds: [Int64.max, -1]
                    ).writeJSON(to: &json)
                }
                json.raw("]}")
            }
            json.raw("]}")
            let rows = try DeliveryRows(Self.delivery(json.bytes))
            #expect(rows.count == 5000 && rows.rejected == nil)
            try connection.insert(into: table, columns: EventTable.columns, jsonEachRow: rows.bytes)
            #expect(try Support.count(connection, table) == 5000)

            let answer = try connection.execute(
                """
                SELECT session_id, utm_campaign, current_url, attributes, toString(experiment_ids), \
                toString(received_at_ms), toString(timestamp_corrected) FROM \(table) \
                WHERE event_id = 'e-3-7' FORMAT JSONEachRow
                """
            )
            let row = try JSONDecoder().decode([String: String].self, from: Data(answer))
            #expect(row["session_id"] == "s-3")
            #expect(row["utm_campaign"] == "ü'\"\\ 3")
            #expect(row["current_url"] == "/p?q=日本&x=\"y\"\t😀")
            #expect(row["attributes"] == #"{"quote\"d":"a\\b\n\u0001","n":7}"#)
            #expect(row["toString(experiment_ids)"] == "[9223372036854775807,-1]")
            #expect(row["toString(received_at_ms)"] == "1700000000003")
            #expect(row["toString(timestamp_corrected)"] == "1")
        }
    }
}
