import ClickHouseClient
import EventWire
import Foundation
import Testing

@testable import SinkPipeline

@Suite struct EventRowsTests {
    @Test func writesOneJSONObjectPerLineWithEveryColumn() throws {
        let bytes = try EventRows.jsonEachRow(
            EventEnvelopeTests.sample,
            messageID: "m1",
            receivedAtMilliseconds: 1_700_000_100_250,
            writtenAtSeconds: 1_700_000_101
        )
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 1)
        let row = try #require(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(Set(row.keys) == Set(EventTable.columns.map(\.name)))
        #expect(row["timestamp"] as? Int == 1_700_000_000)
        #expect(row["original_timestamp_ms"] as? Int == 1_800_000_000_000)
        #expect(row["timestamp_corrected"] as? Int == 1)
        #expect(row["device_id"] as? String == "d\n1")
        #expect(row["current_url"] as? String == "/a?b=c")
        #expect(row["received_at"] as? Int == 1_700_000_100)
        #expect(row["received_at_ms"] as? Int == 1_700_000_100_250)
        #expect(row["written_at"] as? Int == 1_700_000_101)
        let attributes = try #require(row["attributes"] as? String)
        #expect(attributes.contains(#""i":-9007199254740993"#))
    }

    @Test(arguments: [
        (
            IngestedEvent(
                id: "",
                type: "t",
                timestampMilliseconds: 1,
                originalTimestampMilliseconds: 1,
                timestampCorrected: false
            ), "no id"
        ),
        (
            IngestedEvent(
                id: "i",
                type: "",
                timestampMilliseconds: 1,
                originalTimestampMilliseconds: 1,
                timestampCorrected: false
            ), "no type"
        ),
        (
            IngestedEvent(
                id: "i",
                type: "t",
                timestampMilliseconds: 0,
                originalTimestampMilliseconds: 0,
                timestampCorrected: false
            ), "timestamp"
        ),
    ])
    func refusesBadRows(event: IngestedEvent, reason: String) {
        let envelope = EventEnvelope(header: Header(), events: [event])
        #expect {
            try EventRows.jsonEachRow(envelope, messageID: "m", receivedAtMilliseconds: 1, writtenAtSeconds: 1)
        } throws: { error in
            guard let error = error as? SinkError else { return false }
            return error.code == .badRow && error.message.contains(reason) && error.failure == .badRow
        }
    }

    @Test func refusesAnEmptyMessage() {
        #expect {
            try EventRows.jsonEachRow(
                EventEnvelope(header: Header(), events: []),
                messageID: "m",
                receivedAtMilliseconds: 1,
                writtenAtSeconds: 1
            )
        } throws: { ($0 as? SinkError)?.code == .badRow }
    }
}
