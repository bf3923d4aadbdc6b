import EventWire
import TestSupport

/// Requests for the one-pass tests: fixed ones (the golden cases) and random ones from a seed.
enum TranscodeRequests {
    static let now: Int64 = 1_800_000_000_000

    static let header = Header(
        sessionId: "sess-\"quoted\"\\",
        bbDeviceId: -1,
        userId: .min,
        deviceId: "device-42",
        androidAdvertisingId: "38400000-8cf0-11bd-b23e-10b96e40000d",
        clientId: "android-app",
        channel: "tab\there",
        os: "Android 14",
        appLanguage: "de-DE",
        appVersion: "5.12.0",
        currentURL: "https://shop.example/cart?step=2",
        utmCampaign: "Grüße — 夏のセール 🎉\u{1}\n"
    )

    static let mixed = Events(
        header: header,
        events: [
            Event(
                timestamp: "1717171717171",
                currentURL: "https://shop.example/",
                type: "app.open",
                attributes: [
                    Attribute(key: "s", value: .string("x\"y\u{7f}")), Attribute(key: "i", value: .int(-42)),
                    Attribute(key: "d", value: .double(0.1)), Attribute(key: "z", value: .double(-0.0)),
                    Attribute(key: "e", value: .double(1e300)), Attribute(key: "b", value: .bool(false)),
                ],
                experimentIds: [1, -1, .max, .min]
            ),
            Event(id: "given-1", timestamp: "1900000000000", type: "log.trace"),
            Event(timestamp: "0001700000000000", attributes: [Attribute(key: "k", value: .string(""))]),
            Event(id: "given-2", timestamp: "1700000000001", type: "app.open", experimentIds: [7]),
            Event(timestamp: "1700000000002", type: "app.event"),
        ]
    )

    static let single = Events(
        header: Header(deviceId: "d-1"),
        events: [Event(timestamp: "1700000000000", type: "app.open")]
    )

    /// Two encodings one after the other: protobuf merges them (the header field by field, events appended).
    static var concatenated: [UInt8] {
        let second = Events(
            header: Header(sessionId: "second", userId: 5, utmSource: "mail"),
            events: [Event(id: "from-second", timestamp: "1700000000003", type: "log.post")]
        )
        return mixed.protobufBytes() + second.protobufBytes()
    }

    /// The fixed requests by name, as bytes.
    static let golden: [(name: String, bytes: [UInt8])] = [
        ("mixed", mixed.protobufBytes()), ("single", single.protobufBytes()), ("concatenated", concatenated),
    ]

    static func random(seed: UInt64) -> Events {
        var random = SplitMix64(seed: seed)
        func text(_ limit: Int) -> String {
            let pieces = ["a", "Z", "9", ".", "\"", "\\", "\n", "\u{1}", "é", "夏", "🎉", " ", "/", "-"]
            return (0..<Int.random(in: 0...limit, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                .joined()
        }
        /// Invalid values are rare, so that most random batches are accepted and their bytes compared.
        func rare() -> Bool { Int.random(in: 0..<400, using: &random) == 0 }
        func timestamp() -> String {
            if rare() { return Bool.random(using: &random) ? text(3) : "\(Int64.random(in: 0...999, using: &random))" }
            switch Int.random(in: 0..<10, using: &random) {
            case 0: return "000\(Int64.random(in: 946_684_800_000...now, using: &random))"
            case 1: return "\(now + Int64.random(in: 1...1_000_000_000, using: &random))"
            default: return "\(Int64.random(in: 946_684_800_000...now, using: &random))"
            }
        }
        func value() -> Attribute.Value? {
            if rare() { return [nil, .double(.nan), .double(.infinity)].randomElement(using: &random)! }
            switch Int.random(in: 0..<9, using: &random) {
            case 0, 1: return .double([-0.0, 0, .leastNonzeroMagnitude, 1e21, 123].randomElement(using: &random)!)
            case 2: return .double(Double.random(in: -1e6...1e6, using: &random))
            case 3: return .int(Int64.random(in: .min ... .max, using: &random))
            case 4: return .bool(Bool.random(using: &random))
            default: return .string(text(12))
            }
        }
        let types = ["", "app.open", "log.trace", "log.post", "app.event", "x"]
        let events = (0..<(rare() ? 0 : Int.random(in: 1...12, using: &random))).map { _ in
            Event(
                id: Bool.random(using: &random) ? "" : text(8),
                timestamp: timestamp(),
                currentURL: text(20),
                type: rare() ? "bad type" : types.randomElement(using: &random)!,
                attributes: (0..<Int.random(in: 0...5, using: &random)).map { _ in
                    Attribute(key: rare() ? "" : "k" + text(6), value: value())
                },
                experimentIds: (0..<Int.random(in: 0...4, using: &random)).map { _ in
                    Int64.random(in: -5...Int64.max, using: &random)
                }
            )
        }
        let header = Header(
            sessionId: text(10),
            bbDeviceId: Int64.random(in: -2...2, using: &random),
            userId: Int64.random(in: .min ... .max, using: &random),
            deviceId: rare() ? "" : text(10),
            appVersion: text(5),
            currentURL: text(15),
            utmCampaign: text(8)
        )
        return Events(header: header, events: events)
    }
}
