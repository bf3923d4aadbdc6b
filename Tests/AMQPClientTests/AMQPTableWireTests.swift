import Testing

@testable import AMQPClient

@Suite("AMQP field tables")
struct AMQPTableWireTests {
    @Test(
        arguments: [
            [:],
            ["s": .string("héllo"), "i": .int64(-42), "b": .bool(true), "d": .double(2.5)],
            ["big": .int64(Int64.max), "small": .int64(Int64.min), "empty": .string("")],
            ["ts": .timestamp(1_700_000_000), "raw": .bytes([0, 1, 255]), "nothing": .void],
            ["nested": .table(["x-death": .array([.table(["count": 2, "queue": "q"]), .string("x")])])],
            ["empty-array": .array([]), "empty-table": .table([:])],
        ] as [AMQPTable]
    )
    func roundTripsThroughRabbitMQC(table: AMQPTable) throws {
        let encoded = try AMQPTableWire.encode(table)
        #expect(try AMQPTableWire.decode(encoded) == table)
    }

    @Test func encodesTheAMQPWireFormat() throws {
        // key length, key, kind 'S', 4-byte length, value; then kind 'l' (int64), 8 bytes big-endian.
        let encoded = try AMQPTableWire.encode(["a": "bc", "n": .int64(1)])
        let expected: [UInt8] = [1, 97, 83, 0, 0, 0, 2, 98, 99] + [1, 110, 108, 0, 0, 0, 0, 0, 0, 0, 1]
        #expect(encoded == expected)
    }

    /// Key "a" with one value of a narrow or unusual wire kind, and what it decodes to.
    @Test(
        arguments: [
            ([98, 0xFB], .int64(-5)),  // 'b' int8
            ([66, 200], .int64(200)),  // 'B' uint8
            ([115, 0xFF, 0xFE], .int64(-2)),  // 's' int16
            ([73, 0, 0, 0, 7], .int64(7)),  // 'I' int32
            ([105, 0xFF, 0xFF, 0xFF, 0xFF], .int64(4_294_967_295)),  // 'i' uint32
            ([76] + [UInt8](repeating: 0xFF, count: 8), .string("18446744073709551615")),  // 'L' uint64
            ([102, 0x3F, 0xC0, 0, 0], .double(1.5)),  // 'f' float
            ([68, 2, 0, 0, 0x04, 0xD2], .double(12.34)),  // 'D' decimal 1234 / 10^2
        ] as [([UInt8], AMQPFieldValue)]
    )
    func decodesNarrowKindsWidened(value: [UInt8], expected: AMQPFieldValue) throws {
        #expect(try AMQPTableWire.decode([1, 97] + value) == ["a": expected])
    }

    @Test func rejectsTruncatedInput() {
        // Claims a 5-byte string but carries 2 bytes.
        #expect(throws: AMQPError.self) {
            try AMQPTableWire.decode([1, 97, 83, 0, 0, 0, 5, 98, 99])
        }
    }
}
