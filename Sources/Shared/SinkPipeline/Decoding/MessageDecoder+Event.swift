/// The members of one event object that become columns (`IngestedEvent.writeJSON` writes them).
struct EventFields {
    enum Member {
        case id, type, timestamp, originalTimestamp, timestampCorrected, currentURL, attributes, experimentIds, other
    }

    var id = TextValue.absent
    var type = TextValue.absent
    var timestamp = JSONInteger.notInteger
    /// nil when absent: the timestamp is taken.
    var originalTimestamp: JSONInteger?
    var timestampCorrected = false
    var currentURL = TextValue.absent
    /// The first problem found inside `attributes` or `experimentIds`.
    var problem: String?

    @inline(__always)
    static func member(_ name: UnsafeBufferPointer<UInt8>) -> Member {
        switch name.count {
        case 2: JSONCursor.equals(name, "id") ? .id : .other
        case 4: JSONCursor.equals(name, "type") ? .type : .other
        case 9: JSONCursor.equals(name, "timestamp") ? .timestamp : .other
        case 10:
            if JSONCursor.equals(name, "attributes") {
                .attributes
            } else if JSONCursor.equals(name, "currentURL") {
                .currentURL
            } else {
                .other
            }
        case 13: JSONCursor.equals(name, "experimentIds") ? .experimentIds : .other
        case 17: JSONCursor.equals(name, "originalTimestamp") ? .originalTimestamp : .other
        case 18: JSONCursor.equals(name, "timestampCorrected") ? .timestampCorrected : .other
        default: .other
        }
    }
}

extension MessageDecoder {
    /// One event object, its `{` consumed: renders its row and returns nil, or returns why it is refused.
    mutating func event(_ context: CallContext, index: Int) throws(JSONSyntaxError) -> String? {
        try cursor.enter()
        var fields = EventFields()
        attributes.reset()
        experiments.removeAll(keepingCapacity: true)
        var first = true
        var key = JSONString.empty
        while try cursor.nextMember(first: &first, key: &key) {
            switch cursor.withKey(key, scratch: &scratch, EventFields.member) {
            case .id: fields.id = try cursor.textValue(scratch: &scratch)
            case .type: fields.type = try cursor.textValue(scratch: &scratch)
            case .timestamp: fields.timestamp = try cursor.integerValue(scratch: &scratch)
            case .originalTimestamp: fields.originalTimestamp = try cursor.integerValue(scratch: &scratch)
            case .timestampCorrected: fields.timestampCorrected = try cursor.flagValue() ?? false
            case .currentURL: fields.currentURL = try cursor.textValue(scratch: &scratch)
            case .attributes:
                let problem = try attributes.read(&cursor, scratch: &scratch)
                fields.problem = fields.problem ?? problem
            case .experimentIds:
                let problem = try experimentIds()
                fields.problem = fields.problem ?? problem
            case .other: try cursor.skipValue()
            }
        }
        if let problem = context.problem { return problem }
        // Built only for a refused event: string interpolation per row would cost more than the row.
        let path = { "\(context.path)events[\(index)]" }
        if let problem = fields.problem { return "\(path()).\(problem)" }
        if case .invalid = fields.id { return "\(path()).id is not valid UTF-8 text" }
        if fields.id.isEmpty { return "\(path()) has no id" }
        if case .invalid = fields.type { return "\(path()).type is not valid UTF-8 text" }
        if case .string(let type) = fields.type, type.isEmpty { return "\(path()) has no type" }
        if case .absent = fields.type, routingKey.count == 2 { return "\(path()) has no type" }
        let timestamp: Int64
        switch fields.timestamp {
        case .value(let value) where value > 0 && value <= Self.maximumMilliseconds: timestamp = value
        case .value(let value) where value > Self.maximumMilliseconds: return "\(path()).timestamp is out of range"
        case .outOfRange: return "\(path()).timestamp is out of range"
        default: return "\(path()) has no valid timestamp"
        }
        let original: Int64
        switch fields.originalTimestamp {
        case .value(let value)?: original = value
        case .outOfRange?: return "\(path()).originalTimestamp is out of range"
        case .notInteger?, nil: original = timestamp
        }
        if case .invalid = fields.currentURL { return "\(path()).currentURL is not valid UTF-8 text" }
        render(fields, context: context, timestamp: timestamp, original: original)
        return nil
    }

    /// The event's row, its columns in the order of `EventTable.definitions` where that costs nothing.
    private mutating func render(_ fields: EventFields, context: CallContext, timestamp: Int64, original: Int64) {
        RowOutput.raw(#"{"event_id":"#, to: &rows)
        cursor.write(fields.id, scratch: &scratch, to: &rows)
        RowOutput.raw(#","event_type":"#, to: &rows)
        if case .absent = fields.type {
            rows.append(contentsOf: routingKey)
        } else {
            cursor.write(fields.type, scratch: &scratch, to: &rows)
        }
        RowOutput.raw(#","timestamp":"#, to: &rows)
        RowOutput.decimal(timestamp / 1000, to: &rows)
        RowOutput.raw(#","timestamp_ms":"#, to: &rows)
        RowOutput.decimal(timestamp, to: &rows)
        RowOutput.raw(#","original_timestamp_ms":"#, to: &rows)
        RowOutput.decimal(original, to: &rows)
        RowOutput.raw(
            fields.timestampCorrected ? #","timestamp_corrected":1"# : #","timestamp_corrected":0"#,
            to: &rows
        )
        RowOutput.raw(#","current_url":"#, to: &rows)
        if fields.currentURL.isEmpty {
            rows.append(contentsOf: context.currentURL)
        } else {
            cursor.write(fields.currentURL, scratch: &scratch, to: &rows)
        }
        RowOutput.raw(#","attributes":"{"#, to: &rows)
        attributes.write(to: &rows)
        RowOutput.raw(#"}","experiment_ids":["#, to: &rows)
        rows.append(contentsOf: experiments)
        rows.append(UInt8(ascii: "]"))
        rows.append(contentsOf: context.suffix)
    }

    /// The `experimentIds` array at the position into `experiments`; a value that is not an integer is skipped
    /// (as the first release did), one out of range refuses the event. Anything but an array is skipped.
    private mutating func experimentIds() throws(JSONSyntaxError) -> String? {
        experiments.removeAll(keepingCapacity: true)
        guard cursor.peek() == UInt8(ascii: "[") else {
            try cursor.skipValue()
            return nil
        }
        cursor.position += 1
        try cursor.enter()
        var problem: String?
        var first = true
        while try cursor.nextElement(first: &first) {
            switch try cursor.integerValue(scratch: &scratch) {
            case .value(let value):
                if !experiments.isEmpty { experiments.append(UInt8(ascii: ",")) }
                RowOutput.decimal(value, to: &experiments)
            case .outOfRange:
                problem = problem ?? "experimentIds holds a value out of range"
            case .notInteger:
                break
            }
        }
        return problem
    }
}
