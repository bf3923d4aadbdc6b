public import EventWire

/// Turns a decoded envelope into JSONEachRow bytes for the event table (`EventTable.columns`).
public enum EventRows {
    /// All rows of the envelope, or an error naming the first bad one: an empty batch, an event without an id,
    /// type or positive timestamp never becomes a row.
    public static func jsonEachRow(
        _ envelope: EventEnvelope,
        messageID: String,
        receivedAtMilliseconds: Int64,
        writtenAtSeconds: Int64
    ) throws(SinkError) -> [UInt8] {
        guard !envelope.events.isEmpty else { throw SinkError(.badRow, "the message has no events") }
        var json = JSONWriter(capacity: envelope.events.count * 512)
        for (index, event) in envelope.events.enumerated() {
            guard !event.id.isEmpty else { throw SinkError(.badRow, "events[\(index)] has no id") }
            guard !event.type.isEmpty else { throw SinkError(.badRow, "events[\(index)] has no type") }
            guard event.timestampMilliseconds > 0 else {
                throw SinkError(.badRow, "events[\(index)] has no valid timestamp")
            }
            write(
                event,
                header: envelope.header,
                messageID: messageID,
                times: (receivedAtMilliseconds, writtenAtSeconds),
                to: &json
            )
            json.raw("\n")
        }
        return json.bytes
    }

    private static func write(
        _ event: IngestedEvent,
        header: Header,
        messageID: String,
        times: (receivedAtMilliseconds: Int64, writtenAtSeconds: Int64),
        to json: inout JSONWriter
    ) {
        json.raw("{")
        json.key("event_id")
        json.string(event.id)
        json.comma()
        json.key("event_type")
        json.string(event.type)
        json.comma()
        json.key("timestamp")
        json.int(event.timestampMilliseconds / 1000)
        json.comma()
        json.key("timestamp_ms")
        json.int(event.timestampMilliseconds)
        json.comma()
        json.key("original_timestamp_ms")
        json.int(event.originalTimestampMilliseconds)
        json.comma()
        json.key("timestamp_corrected")
        json.int(event.timestampCorrected ? 1 : 0)
        json.comma()
        json.key("received_at")
        json.int(times.receivedAtMilliseconds / 1000)
        json.comma()
        json.key("received_at_ms")
        json.int(times.receivedAtMilliseconds)
        json.comma()
        json.key("written_at")
        json.int(times.writtenAtSeconds)
        json.comma()
        json.key("session_id")
        json.string(header.sessionId)
        json.comma()
        json.key("device_id")
        json.string(header.deviceId)
        json.comma()
        json.key("bb_device_id")
        json.int(header.bbDeviceId)
        json.comma()
        json.key("user_id")
        json.int(header.userId)
        json.comma()
        json.key("client_id")
        json.string(header.clientId)
        json.comma()
        json.key("client_type")
        json.string(header.clientType)
        json.comma()
        json.key("channel")
        json.string(header.channel)
        json.comma()
        json.key("os")
        json.string(header.os)
        json.comma()
        json.key("app_version")
        json.string(header.appVersion)
        json.comma()
        json.key("app_language")
        json.string(header.appLanguage)
        json.comma()
        json.key("current_url")
        json.string(event.currentURL.isEmpty ? header.currentURL : event.currentURL)
        json.comma()
        json.key("utm_source")
        json.string(header.utmSource)
        json.comma()
        json.key("utm_medium")
        json.string(header.utmMedium)
        json.comma()
        json.key("utm_campaign")
        json.string(header.utmCampaign)
        json.comma()
        var attributes = JSONWriter(capacity: 128)
        Attribute.writeJSONObject(event.attributes, to: &attributes)
        json.key("attributes")
        json.string(String(decoding: attributes.bytes, as: UTF8.self))
        json.comma()
        json.key("experiment_ids")
        json.raw("[")
        for (index, id) in event.experimentIds.enumerated() {
            if index > 0 { json.comma() }
            json.int(id)
        }
        json.raw("]")
        json.comma()
        json.key("message_id")
        json.string(messageID)
        json.comma()
        json.key("android_advertising_id")
        json.string(header.androidAdvertisingId)
        json.comma()
        json.key("app_version_code")
        json.string(header.appVersionCode)
        json.comma()
        json.key("header_current_url")
        json.string(header.currentURL)
        json.comma()
        json.key("merchant_id")
        json.string(header.merchantId)
        json.comma()
        json.key("utm_referrer")
        json.string(header.utmReferrer)
        json.comma()
        json.key("utm_platform")
        json.string(header.utmPlatform)
        json.comma()
        json.key("pp_id")
        json.string(header.ppId)
        json.raw("}")
    }
}
