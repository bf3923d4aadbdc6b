public import EventWire
import Foundation

/// Checks a decoded batch at the edge and turns it into `IngestedEvent`s (ids assigned, future timestamps
/// clamped), or refuses the whole batch with INVALID_ARGUMENT naming the event index and the reason, so nothing
/// of a bad batch is ever enqueued (seed scenario 3, clock skew of scenario 8).
public struct BatchValidator: Sendable {
    public var limits: IngestLimits

    public init(limits: IngestLimits) {
        self.limits = limits
    }

    /// `now` is the gateway's clock in epoch milliseconds. Events that came without an id get one derived from the
    /// batch (`EventID`): the same batch sent again gets the same ids.
    public func validate(_ batch: Events, now: Int64) throws(IngestError) -> [IngestedEvent] {
        guard !batch.events.isEmpty else { throw invalid("the batch has no events") }
        guard batch.events.count <= limits.maxEventsPerBatch else {
            throw invalid("the batch has \(batch.events.count) events; at most \(limits.maxEventsPerBatch) are allowed")
        }
        guard !batch.header.deviceId.isEmpty || batch.header.bbDeviceId != 0 else {
            throw invalid("header: deviceId (or bbDeviceId) is required")
        }
        try checkLength(batch.header.sessionId, "header.sessionId")
        try checkLength(batch.header.deviceId, "header.deviceId")
        try checkLength(batch.header.currentURL, "header.currentURL")
        var result: [IngestedEvent] = []
        result.reserveCapacity(batch.events.count)
        var header: [UInt8]?
        for (index, event) in batch.events.enumerated() {
            var accepted = try validate(event, index: index, now: now)
            if accepted.id.isEmpty {
                if header == nil { header = batch.header.protobufBytes() }
                accepted.id = EventID.derive(header: header ?? [], event: event, position: index)
            }
            result.append(accepted)
        }
        return result
    }

    /// Field paths such as `events[3].attributes[1].key` are built only when a check fails: formatting them for
    /// every event of every valid batch was a tenth of the gateway's CPU time under load.
    private func validate(
        _ event: Event,
        index: Int,
        now: Int64
    ) throws(IngestError)
        -> IngestedEvent
    {
        try checkLength(event.id) { "events[\(index)].id" }
        try checkLength(event.currentURL) { "events[\(index)].currentURL" }
        guard let original = Int64(event.timestamp), event.timestamp.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else {
            throw invalid(
                "events[\(index)].timestamp \"\(event.timestamp.prefix(40))\""
                    + " is not a decimal number of epoch milliseconds"
            )
        }
        guard original >= limits.earliestTimestampMilliseconds else {
            throw invalid("events[\(index)].timestamp \(original) is before the year 2000; send epoch milliseconds")
        }
        let type = event.type.isEmpty ? IngestedEvent.defaultType : event.type
        guard Self.isValidType(type) else {
            throw invalid(
                "events[\(index)].type \"\(type.prefix(80))\""
                    + " must be 1-128 characters of letters, digits, '.', '_' or '-'"
            )
        }
        guard event.attributes.count <= limits.maxAttributesPerEvent else {
            throw invalid(
                "events[\(index)] has \(event.attributes.count) attributes;"
                    + " at most \(limits.maxAttributesPerEvent) are allowed"
            )
        }
        for (attributeIndex, attribute) in event.attributes.enumerated() {
            let attributeAt = { "events[\(index)].attributes[\(attributeIndex)]" }
            guard !attribute.key.isEmpty else { throw invalid("\(attributeAt()).key is empty") }
            try checkLength(attribute.key) { "\(attributeAt()).key" }
            guard attribute.value != nil else { throw invalid("\(attributeAt()) (\(attribute.key)) has no value") }
            if case .string(let text) = attribute.value { try checkLength(text) { "\(attributeAt()).stringValue" } }
            if case .double(let number) = attribute.value, !number.isFinite {
                throw invalid("\(attributeAt()).doubleValue must be a finite number")
            }
        }
        let clamped = TimestampClamp.clamp(original, now: now)
        return IngestedEvent(
            id: event.id,
            type: type,
            timestampMilliseconds: clamped.value,
            originalTimestampMilliseconds: original,
            timestampCorrected: clamped.corrected,
            currentURL: event.currentURL,
            attributes: event.attributes,
            experimentIds: event.experimentIds
        )
    }

    private func checkLength(_ value: String, _ field: String) throws(IngestError) {
        try checkLength(value) { field }
    }

    private func checkLength(_ value: String, _ field: () -> String) throws(IngestError) {
        guard value.utf8.count <= limits.maxFieldBytes else {
            throw invalid("\(field()) is \(value.utf8.count) bytes; at most \(limits.maxFieldBytes) are allowed")
        }
    }

    func invalid(_ message: String) -> IngestError {
        IngestError(.invalidBatch, message)
    }

    static func isValidType(_ type: String) -> Bool {
        (1...128).contains(type.utf8.count)
            && type.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
    }
}

/// Clock-skew correction: a timestamp later than the gateway's clock becomes the gateway's clock.
public enum TimestampClamp {
    public static func clamp(_ timestamp: Int64, now: Int64) -> (value: Int64, corrected: Bool) {
        timestamp > now ? (now, true) : (timestamp, false)
    }
}
