public import EventWire

/// The id of an event that came without one, derived so that a client retrying the same batch gets the same ids
/// (promise P3) and the retry collapses into the first delivery's rows.
///
/// The rule, for client authors: the id is a function of the batch's header (all of its fields, as protobuf
/// bytes), the event's own fields (as protobuf bytes, without the id) and the event's position in the batch. A
/// batch resent unchanged yields the same ids; two identical events at different positions, or the same event
/// under another header (another device or session), get different ids. A client that needs ids stable across
/// different batches (re-batching after a crash) should send its own.
///
/// Format: a UUID string of version 8 (custom), lower case, from a 128-bit hash (two differently seeded 64-bit
/// FNV-1a lanes, each finished with the SplitMix64 mixer). Not a cryptographic hash: ids are not secrets, and a
/// client able to collide them could as well send any id it likes.
public enum EventID {
    public static func derive(header: [UInt8], event: Event, position: Int) -> String {
        var keyless = event
        keyless.id = ""
        return derive(header: header, keylessEvent: keyless.protobufBytes(), position: position)
    }

    /// The same id from the protobuf bytes of the header and of the event without its id (as `protobufBytes()`
    /// writes them; `EventsView` rebuilds them from a request).
    public static func derive(header: [UInt8], keylessEvent: [UInt8], position: Int) -> String {
        String(decoding: utf8(header: header, keylessEvent: keylessEvent, position: position), as: UTF8.self)
    }

    /// The id's 36 ASCII bytes (what the one pass writes into its JSON).
    public static func utf8(header: [UInt8], keylessEvent: [UInt8], position: Int) -> [UInt8] {
        var hash = Hash128()
        hash.add(header)
        hash.add(UInt64(truncatingIfNeeded: header.count))
        hash.add(keylessEvent)
        hash.add(UInt64(truncatingIfNeeded: position))
        return format(hash.finish())
    }

    /// Lower-case hex in groups of 8-4-4-4-12 digits.
    private static func format(_ value: (UInt64, UInt64)) -> [UInt8] {
        // Version 8 in the high nibble of byte 6, the RFC 4122 variant in the two high bits of byte 8.
        let high = (value.0 & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_8000
        let low = (value.1 & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for digit in 0..<32 {
            if digit == 8 || digit == 12 || digit == 16 || digit == 20 { text.append(UInt8(ascii: "-")) }
            let word = digit < 16 ? high : low
            let nibble = Int((word >> UInt64(60 - 4 * (digit % 16))) & 0xF)
            text.append(hexDigits[nibble])
        }
        return text
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

/// Two FNV-1a lanes over the same bytes, with different offsets and a final avalanche each.
private struct Hash128 {
    private static let prime: UInt64 = 0x0000_0100_0000_01B3
    private var first: UInt64 = 0xCBF2_9CE4_8422_2325
    private var second: UInt64 = 0x6C62_272E_07BB_0142

    mutating func add(_ bytes: [UInt8]) {
        for byte in bytes {
            first = (first ^ UInt64(byte)) &* Self.prime
            second = (second ^ UInt64(byte)) &* Self.prime &+ 0x9E37_79B9
        }
    }

    mutating func add(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { add(Array($0)) }
    }

    func finish() -> (UInt64, UInt64) {
        (Self.mix(first), Self.mix(second ^ 0xA076_1D64_78BD_642F))
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var value = value
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
