import AMQPClient
import EventWire
// BenchRawPublisher: the raw-broker ceiling for `make bench` (scripts/bench.sh). It turns one Events request
// into exactly the broker messages the gateway would publish (same validation, clamping and JSON envelope), then
// publishes those bytes with rabbitmq-c alone, `--group` batches per confirm wait, for `--seconds`, and prints one
// JSON object: batches, messages, events, their rates, and the p50/p99 time of one confirm group.
//
// Usage: BenchRawPublisher --request FILE.pb [--seconds 10] [--group 32] [--exchange events]
// Environment: RABBIT_HOST (127.0.0.1), RABBIT_PORT (5672), RABBIT_USER/RABBIT_PASSWORD (guest).
import Foundation
import IngestPipeline

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("BenchRawPublisher: \(message)\n".utf8))
    exit(2)
}

func option(_ name: String, in arguments: [String]) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func percentile(_ sorted: [Duration], _ fraction: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let index = min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)
    let value = sorted[max(0, index)].components
    return Double(value.seconds) * 1000 + Double(value.attoseconds) / 1e15
}

let arguments = CommandLine.arguments
guard let requestPath = option("--request", in: arguments),
    let request = FileManager.default.contents(atPath: requestPath)
else { fail("--request FILE (a protobuf event.Events message) is required and must be readable") }
let seconds = Double(option("--seconds", in: arguments) ?? "10") ?? 0
let group = Int(option("--group", in: arguments) ?? "32") ?? 0
guard seconds > 0, group > 0 else { fail("--seconds and --group must be positive numbers") }
let environment = ProcessInfo.processInfo.environment

let batch: Events
let events: [IngestedEvent]
do {
    batch = try Events(protobuf: ArraySlice(request))
    events = try BatchValidator(limits: IngestLimits()).validate(
        batch,
        now: Int64(Date().timeIntervalSince1970 * 1000)
    )
} catch {
    fail("\(requestPath) is not a valid batch: \(error)")
}
// One call per round, as the gateway publishes a lone call: one message per routing key in the `calls` shape.
let parts = CallPart.parts(
    header: batch.header,
    receivedAtMilliseconds: Int64(Date().timeIntervalSince1970 * 1000),
    events: events
)
let messages = RoundMessages.make([parts], exchange: option("--exchange", in: arguments) ?? "events")
let producer = RawProducer(
    host: environment["RABBIT_HOST"] ?? "127.0.0.1",
    port: Int32(environment["RABBIT_PORT"] ?? "5672") ?? 5672,
    user: environment["RABBIT_USER"] ?? "guest",
    password: environment["RABBIT_PASSWORD"] ?? "guest",
    exchange: messages[0].exchange,
    routingKeys: messages.map(\.routingKey),
    bodies: messages.map(\.body),
    group: group
)
do {
    let result = try producer.run(for: .milliseconds(Int(seconds * 1000)))
    let elapsed = Double(result.elapsed.components.seconds) + Double(result.elapsed.components.attoseconds) / 1e18
    let sorted = result.groupLatencies.sorted()
    let summary: [String: Any] = [
        "batches": result.batches, "messages": result.messages, "events": result.batches * events.count,
        "seconds": elapsed, "batches_per_second": Double(result.batches) / elapsed,
        "messages_per_second": Double(result.messages) / elapsed,
        "events_per_second": Double(result.batches * events.count) / elapsed,
        "message_bytes": messages.map(\.body.count).reduce(0, +), "group": group,
        "group_p50_ms": percentile(sorted, 0.5), "group_p99_ms": percentile(sorted, 0.99),
    ]
    let json = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
} catch {
    fail("\(error)")
}
