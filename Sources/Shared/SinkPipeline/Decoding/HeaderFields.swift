/// One call's `header` object as found in the body (the proto's field names), before it is rendered into the
/// columns every row of the call shares.
struct HeaderFields {
    /// The 18 string fields: member name and column, in the proto's field order.
    static let textFields: [(key: StaticString, column: StaticString)] = [
        ("sessionId", "session_id"), ("deviceId", "device_id"), ("androidAdvertisingId", "android_advertising_id"),
        ("clientId", "client_id"), ("channel", "channel"), ("os", "os"), ("clientType", "client_type"),
        ("appLanguage", "app_language"), ("appVersion", "app_version"), ("appVersionCode", "app_version_code"),
        ("currentURL", "header_current_url"), ("merchantId", "merchant_id"), ("utmReferrer", "utm_referrer"),
        ("utmPlatform", "utm_platform"), ("utmSource", "utm_source"), ("utmMedium", "utm_medium"),
        ("utmCampaign", "utm_campaign"), ("ppId", "pp_id"),
    ]
    /// The index of `currentURL` in `textFields`: the page of the events that name none.
    static let currentURLIndex = 10

    enum Member {
        case bbDeviceId, userId, other
        /// An index in `textFields`.
        case text(Int)
    }

    var texts: [TextValue] = Array(repeating: .absent, count: textFields.count)
    var bbDeviceId = JSONInteger.notInteger
    var userId = JSONInteger.notInteger
    /// The header object's bytes (for a dead-letter copy of the call's events); nil when the call has none.
    var span: Range<Int>?

    /// Why no event of the call can become a row (a value out of range or not valid text), naming the field.
    var problem: String? {
        if bbDeviceId == .outOfRange { return "header.bbDeviceId is out of range" }
        if userId == .outOfRange { return "header.userId is out of range" }
        for (index, text) in texts.enumerated() {
            if case .invalid = text { return "header.\(Self.textFields[index].key) is not valid UTF-8 text" }
        }
        return nil
    }
}

extension JSONCursor {
    /// The header object at the position (`null` counts as none); throws when it is another kind of value.
    mutating func headerFields(
        scratch: inout [UInt8],
        path: @autoclosure () -> String
    ) throws(JSONSyntaxError) -> HeaderFields {
        var header = HeaderFields()
        let start = position
        if peek() == UInt8(ascii: "n"), try literal() == nil { return header }
        guard consume(UInt8(ascii: "{")) else { throw JSONSyntaxError("\(path()) is not an object", at: start) }
        try enter()
        var first = true
        var key = JSONString.empty
        while try nextMember(first: &first, key: &key) {
            let field = withKey(key, scratch: &scratch) { name -> HeaderFields.Member in
                if Self.equals(name, "bbDeviceId") { return .bbDeviceId }
                if Self.equals(name, "userId") { return .userId }
                return HeaderFields.textFields.firstIndex { Self.equals(name, $0.key) }.map { .text($0) } ?? .other
            }
            switch field {
            case .bbDeviceId: header.bbDeviceId = try integerValue(scratch: &scratch)
            case .userId: header.userId = try integerValue(scratch: &scratch)
            case .text(let index): header.texts[index] = try textValue(scratch: &scratch)
            case .other: try skipValue()
            }
        }
        header.span = start..<position
        return header
    }

    /// Calls `body` with a member name's bytes, unescaped when needed; a name that is not valid text is empty.
    @inline(__always)
    func withKey<Result>(
        _ key: JSONString,
        scratch: inout [UInt8],
        _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        if !key.hasEscapes { return body(UnsafeBufferPointer(rebasing: bytes[key.start..<key.end])) }
        scratch.removeAll(keepingCapacity: true)
        if !(key.isValid && unescape(key, into: &scratch)) { scratch.removeAll(keepingCapacity: true) }
        return scratch.withUnsafeBufferPointer(body)
    }

    @inline(__always)
    static func equals(_ name: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        guard name.count == literal.utf8CodeUnitCount else { return false }
        let other = literal.utf8Start
        for index in 0..<name.count where name[index] != other[index] { return false }
        return true
    }
}
