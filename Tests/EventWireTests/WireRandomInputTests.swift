import TestSupport
import Testing

@testable import EventWire

/// Decoding arbitrary bytes never crashes; whatever decodes re-encodes canonically and decodes to the same value.
@Suite struct WireRandomInputTests {
    @Test func randomBytesDecodeOrThrow() {
        var random = SplitMix64(seed: 0x5EED_0001)
        var decoded = 0
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...40, using: &random)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            decoded += roundTrips(bytes, as: Events.self) ? 1 : 0
            _ = roundTrips(bytes, as: HealthCheckResponse.self)
            _ = roundTrips(bytes, as: DispatchResponse.self)
        }
        #expect(decoded > 100, "some random inputs should decode, else this test checks only the error paths")
    }

    @Test func mutationsOfAValidBatchDecodeOrThrow() throws {
        let valid = try Golden.bytes("events_full")
        var random = SplitMix64(seed: 0x5EED_0002)
        var decoded = 0
        for _ in 0..<10_000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &random) { mutate(&bytes, using: &random) }
            decoded += roundTrips(bytes, as: Events.self) ? 1 : 0
        }
        #expect(decoded > 100, "mutations should often still decode, else this test checks only the error paths")
    }

    /// Decodes `bytes`; when that works, checks the round trip. Returns whether `bytes` decoded.
    private func roundTrips<M: ProtobufMessage & Equatable>(_ bytes: [UInt8], as type: M.Type) -> Bool {
        let value: M
        do {
            value = try M(protobuf: bytes[...])
        } catch {
            #expect(error is WireError, "decoding threw \(error)")
            return false
        }
        let encoded = value.protobufBytes()
        do {
            let again = try M(protobuf: encoded[...])
            // A NaN attribute makes a value unequal to itself; the bytes still must match.
            #expect(again == value || value != value)
            #expect(again.protobufBytes() == encoded)
        } catch {
            Issue.record("our own encoding of \(value) failed to decode: \(error)")
        }
        return true
    }

    private func mutate(_ bytes: inout [UInt8], using random: inout SplitMix64) {
        guard !bytes.isEmpty else {
            bytes.append(UInt8.random(in: 0...255, using: &random))
            return
        }
        let at = Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<5, using: &random) {
        case 0: bytes[at] = UInt8.random(in: 0...255, using: &random)
        case 1: bytes[at] ^= 1 << UInt8.random(in: 0..<8, using: &random)
        case 2: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
        case 3: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &random)))
        default:
            let end = min(bytes.count, at + Int.random(in: 1...16, using: &random))
            bytes.insert(contentsOf: bytes[at..<end], at: Int.random(in: 0...bytes.count, using: &random))
        }
    }
}
