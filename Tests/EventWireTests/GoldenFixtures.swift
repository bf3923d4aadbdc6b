import Foundation
import Testing

@testable import EventWire

/// One golden file pair (`NAME.txtpb`, `NAME.bin` from scripts/golden.sh) and the Swift value it must decode to.
struct GoldenCase: Sendable, CustomTestStringConvertible {
    let name: String
    /// Our encoding of the expected value.
    let encoded: [UInt8]
    /// Decodes bytes with our codec and tells whether they equal the expected value.
    let decodesToExpected: @Sendable ([UInt8]) throws -> Bool

    var testDescription: String { name }

    static func make<M: ProtobufMessage & Equatable>(_ name: String, _ value: M) -> GoldenCase {
        GoldenCase(
            name: name,
            encoded: value.protobufBytes(),
            decodesToExpected: { bytes in try M(protobuf: bytes[...]) == value }
        )
    }

    func binary() throws -> [UInt8] { try Golden.bytes(name) }

    func text() throws -> String {
        try String(decoding: Data(contentsOf: Golden.url(name, "txtpb")), as: UTF8.self)
    }

    /// The fully qualified message type, from the `# proto-message:` line golden.sh also reads.
    func messageType() throws -> String {
        let line = try #require(try text().split(separator: "\n").first { $0.hasPrefix("# proto-message:") })
        return line.dropFirst("# proto-message:".count).trimmingCharacters(in: .whitespaces)
    }
}

enum Golden {
    static func url(_ name: String, _ ext: String) throws -> URL {
        try #require(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Golden"))
    }

    static func bytes(_ name: String) throws -> [UInt8] { try [UInt8](Data(contentsOf: url(name, "bin"))) }

    static let cases: [GoldenCase] = [
        .make("events_full", fullEvents),
        .make("events_empty", Events()),
        .make("dispatch_response", DispatchResponse(status: "SUCCESS", message: "accepted 3 events")),
        .make("health_request", HealthCheckRequest(service: "event.EventService")),
        .make("health_response", HealthCheckResponse(status: .notServing)),
        .make("health_response_unknown_status", HealthCheckResponse(status: .init(rawValue: -1))),
    ]

    static let fullHeader = Header(
        sessionId: "sess-7f3a",
        bbDeviceId: -1,
        userId: .min,
        deviceId: "device-42",
        androidAdvertisingId: "38400000-8cf0-11bd-b23e-10b96e40000d",
        clientId: "android-app",
        channel: "play-store",
        os: "Android 14",
        clientType: "mobile",
        appLanguage: "de-DE",
        appVersion: "5.12.0",
        appVersionCode: "51200",
        currentURL: "https://shop.example/cart?step=2",
        merchantId: "merchant-9",
        utmReferrer: "newsletter",
        utmPlatform: "email",
        utmSource: "mailer",
        utmMedium: "cpc",
        utmCampaign: "Grüße — 夏のセール 🎉",
        ppId: "pp-0001"
    )

    static let fullEventList = [
        Event(
            id: "evt-1",
            timestamp: "1717171717171",
            currentURL: "https://shop.example/",
            type: "app.open",
            attributes: [
                Attribute(key: "screen", value: .string("Startseite ✓")),
                Attribute(key: "count", value: .int(-42)),
                Attribute(key: "ratio", value: .double(0.3333333333333333)),
                Attribute(key: "first", value: .bool(true)),
                Attribute(key: "zero", value: .int(0)),
                Attribute(key: "empty", value: .string("")),
                Attribute(key: "no", value: .bool(false)),
                Attribute(key: "nothing", value: .double(0)),
                Attribute(key: "unset", value: nil),
            ],
            experimentIds: [1, -7, 300, .max]
        ),
        Event(timestamp: "1717171717999", type: "log.trace"),
        Event(
            id: "evt-3",
            timestamp: "0",
            type: "purchase.done",
            attributes: [Attribute(key: "amount", value: .double(-1e300))],
            experimentIds: [0]
        ),
    ]

    static let fullEvents = Events(header: fullHeader, events: fullEventList)
}
