public import EventWire
import Foundation

extension EventEnvelope {
    /// Decodes a message body, accepting what other publishers may write: numbers as strings, a missing
    /// `originalTimestamp` (taken as the timestamp), a missing `type` (the message's routing key). An event
    /// without an id or a timestamp is kept with empty values: the sink refuses such rows, with a reason.
    public static func decode(json bytes: [UInt8], routingKey: String) throws(SinkError) -> EventEnvelope {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw SinkError(.decode, "body is not JSON (\(bytes.count) bytes)")
        }
        guard let root = object as? [String: Any] else {
            throw SinkError(.decode, "body is not a JSON object")
        }
        guard let rawEvents = root["events"] as? [Any] else {
            throw SinkError(.decode, "body has no \"events\" array")
        }
        let header = try decodeHeader(root["header"])
        var events: [IngestedEvent] = []
        events.reserveCapacity(rawEvents.count)
        for (index, raw) in rawEvents.enumerated() {
            guard let fields = raw as? [String: Any] else {
                throw SinkError(.decode, "events[\(index)] is not an object")
            }
            events.append(decodeEvent(fields, routingKey: routingKey))
        }
        return EventEnvelope(header: header, events: events)
    }

    private static func decodeHeader(_ raw: Any?) throws(SinkError) -> Header {
        guard let raw else { return Header() }
        guard let fields = raw as? [String: Any] else {
            throw SinkError(.decode, "\"header\" is not an object")
        }
        var header = Header()
        header.bbDeviceId = int64(fields["bbDeviceId"]) ?? 0
        header.userId = int64(fields["userId"]) ?? 0
        for field in Header.stringFields {
            header[keyPath: field.keyPath] = string(fields[field.name]) ?? ""
        }
        return header
    }

    private static func decodeEvent(_ fields: [String: Any], routingKey: String) -> IngestedEvent {
        let timestamp = int64(fields["timestamp"]) ?? 0
        var attributes: [Attribute] = []
        if let object = fields["attributes"] as? [String: Any] {
            for key in object.keys.sorted() {
                if let value = attributeValue(object[key]) { attributes.append(Attribute(key: key, value: value)) }
            }
        }
        let experiments = (fields["experimentIds"] as? [Any])?.compactMap { int64($0) } ?? []
        return IngestedEvent(
            id: string(fields["id"]) ?? "",
            type: string(fields["type"]) ?? routingKey,
            timestampMilliseconds: timestamp,
            originalTimestampMilliseconds: int64(fields["originalTimestamp"]) ?? timestamp,
            timestampCorrected: bool(fields["timestampCorrected"]) ?? false,
            currentURL: string(fields["currentURL"]) ?? "",
            attributes: attributes,
            experimentIds: experiments
        )
    }

    private static func string(_ value: Any?) -> String? {
        switch value {
        case let text as String: text
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }

    private static func int64(_ value: Any?) -> Int64? {
        switch value {
        case let number as NSNumber where !isBoolean(number):
            isFloat(number) ? Int64(exactly: number.doubleValue) : number.int64Value
        case let text as String: Int64(text)
        default: nil
        }
    }

    private static func bool(_ value: Any?) -> Bool? {
        switch value {
        case let number as NSNumber: number.boolValue
        case let text as String: text == "true" || text == "1"
        default: nil
        }
    }

    private static func attributeValue(_ value: Any?) -> Attribute.Value? {
        switch value {
        case let text as String: return .string(text)
        case let number as NSNumber:
            if isBoolean(number) { return .bool(number.boolValue) }
            if isFloat(number) { return .double(number.doubleValue) }
            return .int(number.int64Value)
        default: return nil
        }
    }

    /// JSONSerialization gives booleans the Objective-C type `c`, doubles `d` (or `f`), integers `i`/`q`.
    private static func isBoolean(_ number: NSNumber) -> Bool {
        number.objCType.pointee == CChar(UInt8(ascii: "c"))
    }

    private static func isFloat(_ number: NSNumber) -> Bool {
        let type = number.objCType.pointee
        return type == CChar(UInt8(ascii: "d")) || type == CChar(UInt8(ascii: "f"))
    }
}
