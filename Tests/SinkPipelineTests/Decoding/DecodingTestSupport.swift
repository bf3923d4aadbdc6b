import EventWire
import Foundation
import Testing

@testable import SinkPipeline

/// Decodes bodies the way the sinks do and reads the rows back as JSON objects.
enum Decoding {
    static let deliveredAt: Int64 = 1_700_000_500_000
    static let writtenAt: Int64 = 1_700_000_600

    static func rows(
        _ body: String,
        routingKey: String = "app.open",
        messageID: String = "m-1"
    ) throws -> MessageRows {
        try rows(Array(body.utf8), routingKey: routingKey, messageID: messageID)
    }

    static func rows(_ body: [UInt8], routingKey: String = "app.open", messageID: String = "m-1") throws -> MessageRows
    {
        try MessageRows(
            body: body,
            routingKey: routingKey,
            messageID: messageID,
            deliveredAtMilliseconds: deliveredAt,
            writtenAtSeconds: writtenAt
        )
    }

    /// Each JSONEachRow line as a dictionary.
    static func objects(_ rows: MessageRows) throws -> [[String: Any]] {
        let text = String(decoding: rows.bytes, as: UTF8.self)
        #expect(text.isEmpty || text.hasSuffix("\n"))
        return try text.split(separator: "\n").map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    /// The `attributes` column of a row, parsed.
    static func attributes(_ row: [String: Any]) throws -> [String: Any] {
        let text = try #require(row["attributes"] as? String)
        return try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// The error a body fails with, if it fails.
    static func error(_ body: String, routingKey: String = "app.open") -> SinkError? {
        error(Array(body.utf8), routingKey: routingKey)
    }

    static func error(_ body: [UInt8], routingKey: String = "app.open") -> SinkError? {
        do {
            _ = try rows(body, routingKey: routingKey)
            return nil
        } catch {
            return error as? SinkError
        }
    }

    /// A header with every field set to a distinct value.
    static let fullHeader = Header(
        sessionId: "s\"1",
        bbDeviceId: -42,
        userId: 7,
        deviceId: "d\n1",
        androidAdvertisingId: "aaid",
        clientId: "client",
        channel: "store",
        os: "android",
        clientType: "app",
        appLanguage: "en",
        appVersion: "2.0",
        appVersionCode: "200",
        currentURL: "/header",
        merchantId: "merchant",
        utmReferrer: "referrer",
        utmPlatform: "platform",
        utmSource: "source",
        utmMedium: "medium",
        utmCampaign: "ünï",
        ppId: "pp"
    )

    static let sampleEvent = IngestedEvent(
        id: "e1",
        type: "app.open",
        timestampMilliseconds: 1_700_000_000_000,
        originalTimestampMilliseconds: 1_800_000_000_000,
        timestampCorrected: true,
        currentURL: "/a?b=c",
        attributes: [
            Attribute(key: "s", value: .string("x\\y \"q\"\n")),
            Attribute(key: "i", value: .int(-9_007_199_254_740_993)),
            Attribute(key: "d", value: .double(2.0)), Attribute(key: "b", value: .bool(false)),
        ],
        experimentIds: [1, -2, Int64.max]
    )

    /// `{"calls":[...]}` with each call's header, receive time and events written as the gateway writes them.
    static func callsBody(_ calls: [(header: Header, receivedAt: Int64, events: [IngestedEvent])]) -> [UInt8] {
        var json = JSONWriter()
        json.raw(#"{"calls":["#)
        for (index, call) in calls.enumerated() {
            if index > 0 { json.comma() }
            json.raw("{")
            json.key("header")
            call.header.writeJSON(to: &json)
            json.comma()
            json.key("receivedAt")
            json.int(call.receivedAt)
            json.comma()
            json.key("events")
            json.raw("[")
            for (position, event) in call.events.enumerated() {
                if position > 0 { json.comma() }
                event.writeJSON(to: &json)
            }
            json.raw("]}")
        }
        json.raw("]}")
        return json.bytes
    }

    static func event(_ id: String, timestamp: Int64 = 1_700_000_000_000) -> IngestedEvent {
        IngestedEvent(
            id: id,
            type: "app.open",
            timestampMilliseconds: timestamp,
            originalTimestampMilliseconds: timestamp,
            timestampCorrected: false
        )
    }
}
