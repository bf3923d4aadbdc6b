import EventWire

/// Writes the `CallPart`s of a checked call from the request's bytes (`BatchValidator.transcode`): per routing key
/// `{"header":...,"receivedAt":MS,"events":[...]}` into a buffer sized from the input, byte for byte as
/// `EventEnvelope.callJSONBytes()` writes the same call.
struct PartWriter {
    let view: EventsView
    let buffer: UnsafeBufferPointer<UInt8>
    let checked: [CheckedEvent]
    let now: Int64
    /// The bytes of the header's strings, for sizing each part.
    private let headerBytes: Int
    /// The header's protobuf bytes, for ids derived for events that came without one (`EventID`).
    private var canonicalHeader: [UInt8]?

    init(view: EventsView, buffer: UnsafeBufferPointer<UInt8>, checked: [CheckedEvent], now: Int64) {
        self.view = view
        self.buffer = buffer
        self.checked = checked
        self.now = now
        headerBytes = view.header.strings.reduce(0) { $0 + $1.count }
    }

    mutating func part(_ group: RoutingGroup) -> CallPart {
        // Typical events grow by their keys and numbers (about 130 bytes an event, and the header's keys about
        // 300 bytes); escapes beyond this make the buffer grow once, and `compactBytes` trims what a wrong guess
        // left spare: the part is held until its round is confirmed.
        let attributes = group.events.reduce(0) { $0 + view.events[$1].attributes.count }
        var json = JSONWriter(
            capacity: 384 + headerBytes + group.inputBytes + 150 * group.events.count + 4 * attributes
        )
        json.raw(#"{"header":"#)
        writeHeader(to: &json)
        json.raw(#","receivedAt":"#)
        json.int(now)
        json.raw(#","events":["#)
        for (position, index) in group.events.enumerated() {
            if position > 0 { json.comma() }
            write(index, to: &json)
        }
        json.raw("]}")
        return CallPart(
            routingKey: String(decoding: group.type, as: UTF8.self),
            json: json.compactBytes,
            events: group.events.count
        )
    }

    /// The header as `Header.writeJSON(to:)` writes it, once per part (cheaper than a copy of a buffer).
    private func writeHeader(to json: inout JSONWriter) {
        json.raw(#"{"bbDeviceId":"#)
        json.int(view.header.bbDeviceId)
        json.raw(#","userId":"#)
        json.int(view.header.userId)
        for field in HeaderView.stringFieldNumbers {
            json.raw(",\"")
            json.raw(field.name)
            json.raw("\":")
            json.string(utf8: slice(view.header.string(field: field.field)))
        }
        json.raw("}")
    }

    private mutating func write(_ index: Int, to json: inout JSONWriter) {
        let event = view.events[index]
        let facts = checked[index]
        json.raw(#"{"id":"#)
        if event.id.isEmpty {
            if canonicalHeader == nil { canonicalHeader = view.canonicalHeaderBytes() }
            let keyless = view.canonicalKeylessEventBytes(index)
            let id = EventID.utf8(header: canonicalHeader ?? [], keylessEvent: keyless, position: index)
            id.withUnsafeBufferPointer { json.string(utf8: $0) }
        } else {
            json.string(utf8: slice(event.id))
        }
        json.raw(#","type":"#)
        json.string(utf8: facts.type)
        json.raw(#","timestamp":"#)
        json.int(facts.timestamp)
        json.raw(#","originalTimestamp":"#)
        json.int(facts.original)
        json.raw(
            facts.corrected
                ? #","timestampCorrected":true,"currentURL":"# : #","timestampCorrected":false,"currentURL":"#
        )
        json.string(utf8: slice(event.currentURL))
        json.raw(#","attributes":{"#)
        var firstAttribute = true
        for attribute in view.attributes[event.attributes] {
            if attribute.value == .none { continue }
            if !firstAttribute { json.comma() }
            firstAttribute = false
            json.string(utf8: slice(attribute.key))
            json.raw(":")
            switch attribute.value {
            case .none: break
            case .string(let range): json.string(utf8: slice(range))
            case .int(let number): json.int(number)
            case .double(let number): json.double(number)
            case .bool(let flag): json.bool(flag)
            }
        }
        json.raw(#"},"experimentIds":["#)
        var first = true
        view.forEachExperimentId(of: event) { id in
            if !first { json.comma() }
            first = false
            json.int(id)
        }
        json.raw("]}")
    }

    private func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: buffer[range])
    }
}
