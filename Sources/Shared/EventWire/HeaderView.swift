/// `event.Header` as ranges of the request.
public struct HeaderView: Sendable {
    /// The string fields 5 and 8-24 by `field - 5` (slots 1 and 2, the int64 fields 6 and 7, stay empty).
    public internal(set) var strings = [Range<Int>](repeating: 0..<0, count: 20)
    public internal(set) var bbDeviceId: Int64 = 0
    public internal(set) var userId: Int64 = 0

    /// The range of string field `field` (5 or 8-24).
    public func string(field: Int) -> Range<Int> { strings[field - 5] }

    /// The JSON names of the string fields, in field-number order, with their field numbers (as
    /// `Header.stringFields`).
    public static let stringFieldNumbers: [(name: StaticString, field: Int)] = [
        ("sessionId", 5), ("deviceId", 8), ("androidAdvertisingId", 9), ("clientId", 10), ("channel", 11),
        ("os", 12), ("clientType", 13), ("appLanguage", 14), ("appVersion", 15), ("appVersionCode", 16),
        ("currentURL", 17), ("merchantId", 18), ("utmReferrer", 19), ("utmPlatform", 20), ("utmSource", 21),
        ("utmMedium", 22), ("utmCampaign", 23), ("ppId", 24),
    ]
}
