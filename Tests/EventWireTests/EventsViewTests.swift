import TestSupport
import Testing

@testable import EventWire

/// `EventsView` refuses exactly what `Events(protobuf:)` refuses (with limits out of reach), and `UTF8Check`
/// agrees with `String(validating:)`.
@Suite struct EventsViewTests {
    static let unlimited = DecodeLimits(
        maxEvents: .max,
        maxAttributesPerEvent: .max,
        maxExperimentIdsPerEvent: .max,
        maxStringBytes: .max
    )

    @Test(arguments: MalformedInput.all.filter { (try? $0.decode([])) != nil && $0.name.contains("Health") == false })
    func malformedInputGetsTheSameError(_ input: MalformedInput) {
        let expected: WireError.Code?
        do {
            _ = try Events(protobuf: input.bytes[...])
            expected = nil
        } catch {
            expected = error.code
        }
        do {
            _ = try EventsView(protobuf: input.bytes[...], limits: Self.unlimited)
            #expect(expected == nil, "\(input.name)")
        } catch {
            #expect(error.code == expected, "\(input.name): \(error)")
        }
    }

    /// Mutated encodings of a full batch: whatever one decoder makes of the bytes, the other agrees.
    @Test(arguments: 0..<8)
    func mutatedBatchesDecodeAlike(seed: Int) {
        var random = SplitMix64(seed: 0xF1E1_D000 + UInt64(seed))
        let original = Golden.fullEvents.protobufBytes()
        for _ in 0..<500 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            if Bool.random(using: &random) { bytes.removeLast(Int.random(in: 0..<bytes.count, using: &random)) }
            let events = try? Events(protobuf: bytes[...])
            let view = try? EventsView(protobuf: bytes[...], limits: Self.unlimited)
            #expect((events == nil) == (view == nil))
            if let events, let view {
                #expect(events.events.count == view.events.count)
                #expect(events.header.protobufBytes() == view.canonicalHeaderBytes())
                for index in events.events.indices {
                    var keyless = events.events[index]
                    keyless.id = ""
                    #expect(keyless.protobufBytes() == view.canonicalKeylessEventBytes(index))
                }
            }
        }
    }

    @Test func utf8CheckAgreesWithTheStandardLibrary() {
        var random = SplitMix64(seed: 0x07F8)
        let interesting: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0x9F, 0xA0,
            0x8F, 0x90,
        ]
        for _ in 0..<50_000 {
            let bytes = (0..<Int.random(in: 0...12, using: &random)).map { _ in
                Bool.random(using: &random)
                    ? interesting.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            }
            let expected = bytes.withUnsafeBufferPointer { String(validating: $0, as: UTF8.self) != nil }
            #expect(bytes.withUnsafeBufferPointer { UTF8Check.isValid($0) } == expected, "\(bytes)")
        }
    }
}
