extension EventEnvelope {
    /// This call as one element of a `calls` array: `{"header":{...},"receivedAt":MS,"events":[...]}`. Written
    /// once per call and routing key, on the call's own task; a publish round only concatenates them.
    public func callJSONBytes() -> [UInt8] {
        json(withReceivedAt: true)
    }

    /// The original single-call body, `{"header":{...},"events":[...]}`, as other publishers write it.
    public func jsonBytes() -> [UInt8] {
        json(withReceivedAt: false)
    }

    private func json(withReceivedAt: Bool) -> [UInt8] {
        var json = JSONWriter(capacity: 320 + events.count * 256)
        json.raw("{")
        json.key("header")
        header.writeJSON(to: &json)
        json.comma()
        if withReceivedAt {
            json.key("receivedAt")
            json.int(receivedAtMilliseconds)
            json.comma()
        }
        json.key("events")
        json.raw("[")
        for (index, event) in events.enumerated() {
            if index > 0 { json.comma() }
            event.writeJSON(to: &json)
        }
        json.raw("]}")
        return json.bytes
    }
}

extension IngestedEvent {
    public func writeJSON(to json: inout JSONWriter) {
        json.raw("{")
        json.key("id")
        json.string(id)
        json.comma()
        json.key("type")
        json.string(type)
        json.comma()
        json.key("timestamp")
        json.int(timestampMilliseconds)
        json.comma()
        json.key("originalTimestamp")
        json.int(originalTimestampMilliseconds)
        json.comma()
        json.key("timestampCorrected")
        json.bool(timestampCorrected)
        json.comma()
        json.key("currentURL")
        json.string(currentURL)
        json.comma()
        json.key("attributes")
        Attribute.writeJSONObject(attributes, to: &json)
        json.comma()
        json.key("experimentIds")
        json.raw("[")
        for (index, id) in experimentIds.enumerated() {
            if index > 0 { json.comma() }
            json.int(id)
        }
        json.raw("]}")
    }
}

extension Attribute {
    /// Attributes as one JSON object of typed values (a later duplicate key wins when read back).
    public static func writeJSONObject(_ attributes: [Attribute], to json: inout JSONWriter) {
        json.raw("{")
        var first = true
        for attribute in attributes {
            guard let value = attribute.value else { continue }
            if !first { json.comma() }
            first = false
            json.string(attribute.key)
            json.raw(":")
            switch value {
            case .string(let text): json.string(text)
            case .int(let number): json.int(number)
            case .double(let number): json.double(number)
            case .bool(let flag): json.bool(flag)
            }
        }
        json.raw("}")
    }
}

extension Header {
    /// String fields by their proto names, in field-number order (the two int64 ids are written separately).
    public static var stringFields: [(name: String, keyPath: WritableKeyPath<Header, String>)] {
        [
            ("sessionId", \.sessionId), ("deviceId", \.deviceId), ("androidAdvertisingId", \.androidAdvertisingId),
            ("clientId", \.clientId), ("channel", \.channel), ("os", \.os), ("clientType", \.clientType),
            ("appLanguage", \.appLanguage), ("appVersion", \.appVersion), ("appVersionCode", \.appVersionCode),
            ("currentURL", \.currentURL), ("merchantId", \.merchantId), ("utmReferrer", \.utmReferrer),
            ("utmPlatform", \.utmPlatform), ("utmSource", \.utmSource), ("utmMedium", \.utmMedium),
            ("utmCampaign", \.utmCampaign), ("ppId", \.ppId),
        ]
    }

    public func writeJSON(to json: inout JSONWriter) {
        json.raw("{")
        json.key("bbDeviceId")
        json.int(bbDeviceId)
        json.comma()
        json.key("userId")
        json.int(userId)
        for field in Self.stringFields {
            json.comma()
            json.string(field.name)
            json.raw(":")
            json.string(self[keyPath: field.keyPath])
        }
        json.raw("}")
    }
}
