// BenchSinkDecode: the sink worker's CPU per row for turning one broker message into JSONEachRow rows, with no
// server. It builds one message of `--events` events as the gateway publishes them (`--shape calls`: the natural
// batching shape, `--calls` calls each with its own header and receive time; `--shape single`: the original
// `{"header":...,"events":[...]}` shape), decodes and renders it `--iterations` times after one warm-up, and
// prints one JSON object with the CPU time (getrusage, user + system) and wall time per row.
//
// Usage: BenchSinkDecode [--events 5000] [--calls 50] [--iterations 40] [--shape calls|single] [--allow-debug]
// Build it in release mode (`swift build -c release --product BenchSinkDecode`): a debug build is refused.
import AMQPClient
import EventWire
import Foundation
import SinkPipeline

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("BenchSinkDecode: \(message)\n".utf8))
    exit(2)
}

func option(_ name: String, default value: String) -> String {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return value }
    return arguments[index + 1]
}

/// User plus system CPU time of this process, in microseconds.
func cpuMicroseconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) * 1e6 + Double(usage.ru_utime.tv_usec)
    let system = Double(usage.ru_stime.tv_sec) * 1e6 + Double(usage.ru_stime.tv_usec)
    return user + system
}

/// A header with every field set, as a mobile client sends it.
func header(call: Int) -> Header {
    Header(
        sessionId: "session-\(call)-5f2b8c1e",
        bbDeviceId: 7_000_000 + Int64(call),
        userId: 42_000 + Int64(call),
        deviceId: "device-\(call)-a41f",
        androidAdvertisingId: "38400000-8cf0-11bd-b23e-10b96e40000d",
        clientId: "android",
        channel: "play-store",
        os: "android 14",
        clientType: "app",
        appLanguage: "en-IN",
        appVersion: "5.12.0",
        appVersionCode: "51200",
        currentURL: "/home",
        merchantId: "merchant-17",
        utmReferrer: "https://example.com/landing",
        utmPlatform: "android",
        utmSource: "newsletter",
        utmMedium: "email",
        utmCampaign: "spring-sale",
        ppId: "pp-9"
    )
}

func event(_ index: Int) -> IngestedEvent {
    IngestedEvent(
        id: "0b4f6c7e-\(String(index, radix: 16))-4d2a-9c1b-3e5f7a9b1c2d",
        type: "app.open",
        timestampMilliseconds: 1_700_000_000_000 + Int64(index),
        originalTimestampMilliseconds: 1_700_000_000_000 + Int64(index),
        timestampCorrected: false,
        currentURL: "/products/\(index)?ref=home",
        attributes: [
            Attribute(key: "screen", value: .string("product_detail")),
            Attribute(key: "position", value: .int(Int64(index % 20))),
            Attribute(key: "price", value: .double(199.5)),
            Attribute(key: "logged_in", value: .bool(true)),
        ],
        experimentIds: [101, 202]
    )
}

/// One broker message body of `events` events split over `calls` calls (the calls shape), or in one call.
func message(events: Int, calls: Int, single: Bool) -> [UInt8] {
    var json = JSONWriter(capacity: events * 512)
    if single {
        json.raw("{")
        json.key("header")
        header(call: 0).writeJSON(to: &json)
        json.comma()
        json.key("events")
        json.raw("[")
        for index in 0..<events {
            if index > 0 { json.comma() }
            event(index).writeJSON(to: &json)
        }
        json.raw("]}")
        return json.bytes
    }
    json.raw("{\"calls\":[")
    let perCall = (events + calls - 1) / calls
    for call in 0..<calls {
        let range = (call * perCall)..<min(events, (call + 1) * perCall)
        guard !range.isEmpty else { break }
        if call > 0 { json.comma() }
        json.raw("{")
        json.key("header")
        header(call: call).writeJSON(to: &json)
        json.comma()
        json.key("receivedAt")
        json.int(1_700_000_000_123 + Int64(call))
        json.comma()
        json.key("events")
        json.raw("[")
        for index in range {
            if index > range.lowerBound { json.comma() }
            event(index).writeJSON(to: &json)
        }
        json.raw("]}")
    }
    json.raw("]}")
    return json.bytes
}

#if DEBUG
let isDebugBuild = true
#else
let isDebugBuild = false
#endif
if isDebugBuild && !CommandLine.arguments.contains("--allow-debug") {
    fail("a debug build measures nothing useful: swift build -c release --product BenchSinkDecode (or --allow-debug)")
}

let eventCount = Int(option("--events", default: "5000")) ?? 0
let calls = Int(option("--calls", default: "50")) ?? 0
let iterations = Int(option("--iterations", default: "40")) ?? 0
let shape = option("--shape", default: "calls")
guard eventCount > 0, calls > 0, iterations > 0, shape == "calls" || shape == "single" else {
    fail("--events, --calls and --iterations must be positive; --shape is calls or single")
}
let delivery = Delivery(
    body: message(events: eventCount, calls: calls, single: shape == "single"),
    exchange: "events",
    routingKey: "app.open",
    messageID: "bench-1",
    contentType: "application/json",
    headers: [:],
    redelivered: false,
    deliveryTag: 1
)

func decodeOnce() -> Int {
    do {
        let rows = try DeliveryRows(delivery)
        guard rows.count == eventCount else { fail("decoded \(rows.count) rows, expected \(eventCount)") }
        return rows.bytes.count
    } catch {
        fail("the message did not decode: \(error)")
    }
}

let rowBytes = decodeOnce()  // warm-up
let cpuStart = cpuMicroseconds()
let wallStart = ContinuousClock.now
for _ in 0..<iterations {
    _ = decodeOnce()
}
let wall = ContinuousClock.now - wallStart
let cpu = cpuMicroseconds() - cpuStart
let rows = Double(eventCount * iterations)
let wallMicroseconds = Double(wall.components.seconds) * 1e6 + Double(wall.components.attoseconds) / 1e12
let summary: [String: Any] = [
    "shape": shape, "events_per_message": eventCount, "calls": shape == "single" ? 1 : calls,
    "iterations": iterations, "message_bytes": delivery.body.count, "rows_bytes": rowBytes,
    "cpu_us_per_row": (cpu / rows * 1000).rounded() / 1000,
    "wall_us_per_row": (wallMicroseconds / rows * 1000).rounded() / 1000,
]
do {
    let json = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
} catch {
    fail("\(error)")
}
