/// Turns one broker message body into JSONEachRow rows for the event table in one pass over its bytes: no
/// `[String: Any]`, no intermediate event values. Used through `MessageRows`.
///
/// Two shapes are read (`README.md`, "The broker message"): the gateway's natural batching,
/// `{"calls":[{"header":{...},"receivedAt":MS,"events":[...]}, ...]}`, and the original single call,
/// `{"header":{...},"events":[...]}`, whose receive time is the delivery's. Members may come in any order: the
/// columns a call's rows share (header, receive time, write time, message id) are rendered once per call, so when
/// `events` comes before them it is skipped and read again once the call's object has been read.
struct MessageDecoder {
    /// Where a refused event lies in the body, and why it was refused.
    struct Rejection {
        /// The call's index in the calls shape; nil in the single-call shape.
        var call: Int?
        var event: Range<Int>
        var header: Range<Int>?
        var receivedAt: Range<Int>?
        var reason: String
    }

    /// What the rows of one call share.
    struct CallContext {
        var index: Int?
        /// `,"received_at":...,"message_id":"..."}` and a newline: the end of each row of the call.
        var suffix: [UInt8] = []
        /// The header's `currentURL` as a JSON string, for events that name no page of their own.
        var currentURL: [UInt8] = []
        /// Why no event of the call can become a row.
        var problem: String?
        var header: Range<Int>?
        var receivedAt: Range<Int>?

        /// `calls[1].` in the calls shape, empty in the single-call shape.
        var path: String { index.map { "calls[\($0)]." } ?? "" }
    }

    var cursor: JSONCursor
    var rows: [UInt8] = []
    var rowCount = 0
    var eventCount = 0
    var rejections: [Rejection] = []
    var isCallsShape = false
    /// Unescaped string content, reused.
    var scratch: [UInt8] = []
    var attributes = AttributeEntries()
    /// The current event's `experimentIds` as JSON array content, reused.
    var experiments: [UInt8] = []
    /// JSON strings, quotes included.
    let routingKey: [UInt8]
    let messageID: [UInt8]
    let deliveredAtMilliseconds: Int64
    let writtenAtSeconds: Int64

    /// Latest time a `DateTime` column holds on every ClickHouse release, 2105-12-31T23:59:59.999Z, in
    /// milliseconds: later times are refused. The column is a UInt32 of seconds, but ClickHouse 18.16's date table
    /// ends with 2105: it stores a time in 2106 without complaint and reads it back as a time in 1970 (measured:
    /// 4294967295 reads as 1970-01-01 06:28:15), so such a row would land wrong, in the wrong partition.
    static let maximumMilliseconds: Int64 = 4_291_747_199 * 1000 + 999

    init(
        bytes: UnsafeBufferPointer<UInt8>,
        routingKey: String,
        messageID: String,
        deliveredAtMilliseconds: Int64,
        writtenAtSeconds: Int64
    ) {
        cursor = JSONCursor(bytes)
        // Rows are larger than the events they come from (column names, the call's columns on every row).
        rows.reserveCapacity(bytes.count * 4 + 4096)
        var key: [UInt8] = []
        RowOutput.string(routingKey, to: &key)
        self.routingKey = key
        var id: [UInt8] = []
        RowOutput.string(messageID, to: &id)
        self.messageID = id
        self.deliveredAtMilliseconds = deliveredAtMilliseconds
        self.writtenAtSeconds = writtenAtSeconds
    }

    /// Reads the whole body: the rows go to `rows`, refused events to `rejections`.
    mutating func decode() throws(JSONSyntaxError) {
        guard cursor.consume(UInt8(ascii: "{")) else { throw JSONSyntaxError("body is not a JSON object", at: 0) }
        try cursor.enter()
        var header: HeaderFields?
        var deferredEvents: Int?
        var sawEvents = false
        var first = true
        var key = JSONString.empty
        while try cursor.nextMember(first: &first, key: &key) {
            let at = cursor.position
            switch cursor.withKey(key, scratch: &scratch, Self.rootMember) {
            case .calls:
                guard !isCallsShape && !sawEvents && header == nil else { throw Self.mixedShapes(at) }
                isCallsShape = true
                try calls()
            case .header:
                guard !isCallsShape && header == nil else { throw Self.mixedShapes(at) }
                header = try cursor.headerFields(scratch: &scratch, path: "\"header\"")
                if let events = deferredEvents {
                    let resume = cursor.position
                    cursor.position = events
                    try self.events(context(header: header, receivedAt: nil, index: nil))
                    cursor.position = resume
                    deferredEvents = nil
                }
            case .events:
                guard !isCallsShape && !sawEvents else { throw Self.mixedShapes(at) }
                sawEvents = true
                if header != nil {
                    try events(context(header: header, receivedAt: nil, index: nil))
                } else {
                    deferredEvents = at
                    try cursor.skipValue()
                }
            case .receivedAt, .other:
                try cursor.skipValue()
            }
        }
        guard cursor.peek() == nil else { throw JSONSyntaxError("bytes after the JSON object", at: cursor.position) }
        guard isCallsShape || sawEvents else { throw JSONSyntaxError("body has no \"events\" array", at: 0) }
        if let events = deferredEvents {
            cursor.position = events
            try self.events(context(header: nil, receivedAt: nil, index: nil))
        }
    }

    enum Member {
        case calls, header, receivedAt, events, other
    }

    static func rootMember(_ name: UnsafeBufferPointer<UInt8>) -> Member {
        if JSONCursor.equals(name, "header") { return .header }
        if JSONCursor.equals(name, "events") { return .events }
        if JSONCursor.equals(name, "calls") { return .calls }
        if JSONCursor.equals(name, "receivedAt") { return .receivedAt }
        return .other
    }

    private static func mixedShapes(_ offset: Int) -> JSONSyntaxError {
        JSONSyntaxError("\"calls\" beside \"header\" or \"events\", or a member twice", at: offset)
    }

    /// The `calls` array at the position.
    private mutating func calls() throws(JSONSyntaxError) {
        let start = cursor.position
        guard cursor.consume(UInt8(ascii: "[")) else { throw JSONSyntaxError("\"calls\" is not an array", at: start) }
        try cursor.enter()
        var first = true
        var index = 0
        while try cursor.nextElement(first: &first) {
            guard cursor.consume(UInt8(ascii: "{")) else {
                throw JSONSyntaxError("calls[\(index)] is not an object", at: cursor.position)
            }
            try call(index)
            index += 1
        }
    }

    /// One call object, its `{` consumed.
    private mutating func call(_ index: Int) throws(JSONSyntaxError) {
        try cursor.enter()
        var header: HeaderFields?
        var receivedAt: (value: JSONInteger, span: Range<Int>)?
        var deferredEvents: Int?
        var sawEvents = false
        var first = true
        var key = JSONString.empty
        while try cursor.nextMember(first: &first, key: &key) {
            let at = cursor.position
            switch cursor.withKey(key, scratch: &scratch, Self.rootMember) {
            case .header:
                guard header == nil else { throw Self.mixedShapes(at) }
                header = try cursor.headerFields(scratch: &scratch, path: "calls[\(index)].header")
            case .receivedAt:
                guard receivedAt == nil else { throw Self.mixedShapes(at) }
                receivedAt = (try cursor.integerValue(scratch: &scratch), at..<cursor.position)
            case .events:
                guard !sawEvents else { throw Self.mixedShapes(at) }
                sawEvents = true
                if header != nil && receivedAt != nil {
                    try events(context(header: header, receivedAt: receivedAt, index: index))
                } else {
                    deferredEvents = at
                    try cursor.skipValue()
                }
            case .calls, .other:
                try cursor.skipValue()
            }
        }
        guard sawEvents else { throw JSONSyntaxError("calls[\(index)] has no \"events\" array", at: cursor.position) }
        if let events = deferredEvents {
            let resume = cursor.position
            cursor.position = events
            try self.events(context(header: header, receivedAt: receivedAt, index: index))
            cursor.position = resume
        }
    }

    /// An `events` array at the position: each event becomes a row or a rejection.
    private mutating func events(_ context: CallContext) throws(JSONSyntaxError) {
        let start = cursor.position
        guard cursor.consume(UInt8(ascii: "[")) else {
            throw JSONSyntaxError("\(context.path)\"events\" is not an array", at: start)
        }
        try cursor.enter()
        var first = true
        var index = 0
        while try cursor.nextElement(first: &first) {
            let eventStart = cursor.position
            guard cursor.consume(UInt8(ascii: "{")) else {
                throw JSONSyntaxError("\(context.path)events[\(index)] is not an object", at: eventStart)
            }
            eventCount += 1
            if let reason = try event(context, index: index) {
                let rejection = Rejection(
                    call: context.index,
                    event: eventStart..<cursor.position,
                    header: context.header,
                    receivedAt: context.receivedAt,
                    reason: reason
                )
                rejections.append(rejection)
            } else {
                rowCount += 1
            }
            index += 1
        }
    }

    /// The columns a call's rows share, rendered once.
    private mutating func context(
        header: HeaderFields?,
        receivedAt: (value: JSONInteger, span: Range<Int>)?,
        index: Int?
    ) -> CallContext {
        let header = header ?? HeaderFields()
        var context = CallContext(index: index, header: header.span, receivedAt: receivedAt?.span)
        let path = context.path
        context.problem = header.problem.map { path + $0 }
        var received = deliveredAtMilliseconds
        switch receivedAt?.value {
        case .value(let milliseconds) where milliseconds > 0 && milliseconds <= Self.maximumMilliseconds:
            received = milliseconds
        case .value(0), .notInteger, nil:
            break
        case .value, .outOfRange:
            context.problem = context.problem ?? path + "receivedAt is out of range"
        }
        var suffix: [UInt8] = []
        suffix.reserveCapacity(512)
        RowOutput.raw(#","received_at":"#, to: &suffix)
        RowOutput.decimal(received / 1000, to: &suffix)
        RowOutput.raw(#","received_at_ms":"#, to: &suffix)
        RowOutput.decimal(received, to: &suffix)
        RowOutput.raw(#","written_at":"#, to: &suffix)
        RowOutput.decimal(writtenAtSeconds, to: &suffix)
        RowOutput.raw(#","bb_device_id":"#, to: &suffix)
        RowOutput.decimal(header.bbDeviceId.valueOrZero, to: &suffix)
        RowOutput.raw(#","user_id":"#, to: &suffix)
        RowOutput.decimal(header.userId.valueOrZero, to: &suffix)
        for (field, text) in zip(HeaderFields.textFields, header.texts) {
            RowOutput.raw(#",""#, to: &suffix)
            RowOutput.raw(field.column, to: &suffix)
            RowOutput.raw(#"":"#, to: &suffix)
            cursor.write(text, scratch: &scratch, to: &suffix)
        }
        RowOutput.raw(#","message_id":"#, to: &suffix)
        suffix.append(contentsOf: messageID)
        RowOutput.raw("}\n", to: &suffix)
        context.suffix = suffix
        cursor.write(header.texts[HeaderFields.currentURLIndex], scratch: &scratch, to: &context.currentURL)
        return context
    }
}

extension JSONInteger {
    /// The value, or 0 for what is not an integer (an id the publisher left out).
    var valueOrZero: Int64 {
        if case .value(let value) = self { return value }
        return 0
    }
}
