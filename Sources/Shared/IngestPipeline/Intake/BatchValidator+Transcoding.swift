import EventWire

/// One pass from request bytes to broker JSON: `EventsView` decodes the request in place (limits checked while
/// counting, strings as ranges checked as UTF-8 once), the checks of `validate(_:now:)` run on the view, and each
/// routing key's part is written straight from the request's bytes into a buffer sized from the input. The bytes
/// are the same as `CallPart.parts(header:receivedAtMilliseconds:events:)` writes for `validate`'s events (the
/// golden and differential tests hold both paths to that); only the texts of some refusals differ.
extension BatchValidator {
    public func transcode(_ request: ArraySlice<UInt8>, now: Int64) throws(IngestError) -> ValidatedCall {
        let view: EventsView
        do {
            view = try EventsView(protobuf: request, limits: limits.decodeLimits)
        } catch {
            if error.code == .limitExceeded { throw IngestError(.invalidBatch, error.message, cause: error) }
            throw IngestError(.invalidBatch, "the request is not a valid event.Events message: \(error)", cause: error)
        }
        guard !view.events.isEmpty else { throw invalid("the batch has no events") }
        guard !view.header.string(field: 8).isEmpty || view.header.bbDeviceId != 0 else {
            throw invalid("header: deviceId (or bbDeviceId) is required")
        }
        return try view.bytes.withUnsafeBufferPointer { (buffer) throws(IngestError) -> ValidatedCall in
            var checked: [CheckedEvent] = []
            checked.reserveCapacity(view.events.count)
            var groups: [RoutingGroup] = []
            var clamped = 0
            for index in view.events.indices {
                let event = try check(view, index, buffer, now: now)
                if event.corrected { clamped += 1 }
                if let group = groups.firstIndex(where: { $0.type.elementsEqual(event.type) }) {
                    groups[group].events.append(index)
                    groups[group].inputBytes += event.inputBytes
                } else {
                    groups.append(RoutingGroup(type: event.type, events: [index], inputBytes: event.inputBytes))
                }
                checked.append(event)
            }
            var writer = PartWriter(view: view, buffer: buffer, checked: checked, now: now)
            let parts = groups.map { writer.part($0) }
            return ValidatedCall(parts: parts, events: view.events.count, clamped: clamped)
        }
    }

    /// The checks of `validate(_:index:now:)` on event `index` of the view (its lengths were checked while
    /// decoding).
    private func check(
        _ view: EventsView,
        _ index: Int,
        _ buffer: UnsafeBufferPointer<UInt8>,
        now: Int64
    ) throws(IngestError) -> CheckedEvent {
        let event = view.events[index]
        let timestamp = UnsafeBufferPointer(rebasing: buffer[event.timestamp])
        guard let original = Self.milliseconds(timestamp) else {
            throw invalid(
                "events[\(index)].timestamp \"\(String(decoding: timestamp, as: UTF8.self).prefix(40))\""
                    + " is not a decimal number of epoch milliseconds"
            )
        }
        guard original >= limits.earliestTimestampMilliseconds else {
            throw invalid("events[\(index)].timestamp \(original) is before the year 2000; send epoch milliseconds")
        }
        let type = event.type.isEmpty ? Self.defaultType : UnsafeBufferPointer(rebasing: buffer[event.type])
        guard Self.isValidType(type) else {
            throw invalid(
                "events[\(index)].type \"\(String(decoding: type, as: UTF8.self).prefix(80))\""
                    + " must be 1-128 characters of letters, digits, '.', '_' or '-'"
            )
        }
        for (attributeIndex, attribute) in view.attributes[event.attributes].enumerated() {
            let attributeAt = { "events[\(index)].attributes[\(attributeIndex)]" }
            guard !attribute.key.isEmpty else { throw invalid("\(attributeAt()).key is empty") }
            switch attribute.value {
            case .none:
                let key = String(decoding: UnsafeBufferPointer(rebasing: buffer[attribute.key]), as: UTF8.self)
                throw invalid("\(attributeAt()) (\(key)) has no value")
            case .double(let number) where !number.isFinite:
                throw invalid("\(attributeAt()).doubleValue must be a finite number")
            default: break
            }
        }
        let clamped = TimestampClamp.clamp(original, now: now)
        return CheckedEvent(
            type: type,
            original: original,
            timestamp: clamped.value,
            corrected: clamped.corrected,
            inputBytes: event.message.count
        )
    }

    /// `events[i].timestamp` as epoch milliseconds: one or more ASCII digits that fit in an Int64, as
    /// `Int64(String)` with the digits-only check of `validate`.
    static func milliseconds(_ digits: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !digits.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let (shifted, overflowed) = value.multipliedReportingOverflow(by: 10)
            let (sum, carried) = shifted.addingReportingOverflow(Int64(byte - 0x30))
            guard !overflowed && !carried else { return nil }
            value = sum
        }
        return value
    }

    static func isValidType(_ type: UnsafeBufferPointer<UInt8>) -> Bool {
        (1...128).contains(type.count)
            && type.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
    }

    /// `IngestedEvent.defaultType`'s bytes, from a static string (its storage lives as long as the program).
    static var defaultType: UnsafeBufferPointer<UInt8> {
        let text: StaticString = "app.event"
        return UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }
}
