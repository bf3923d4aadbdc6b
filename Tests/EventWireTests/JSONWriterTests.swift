import Testing

@testable import EventWire

@Suite struct JSONWriterTests {
    /// `int` writes digits without going through `String`; it must print exactly what `String(value)` prints.
    @Test(arguments: [
        Int64.min, Int64.min + 1, -1_700_000_000_000, -10, -9, -1, 0, 1, 9, 10, 99, 100,
        1_700_000_000_000, Int64.max - 1, Int64.max,
    ])
    func integersMatchTheirDescription(value: Int64) {
        var json = JSONWriter()
        json.int(value)
        #expect(String(decoding: json.bytes, as: UTF8.self) == String(value))
    }

    @Test func integersFollowEarlierBytes() {
        var json = JSONWriter()
        json.raw("[")
        json.int(42)
        json.comma()
        json.int(-7)
        json.raw("]")
        #expect(String(decoding: json.bytes, as: UTF8.self) == "[42,-7]")
    }

    /// A buffer reserved far beyond what was written is copied into one that fits; a close guess is kept as is.
    @Test(arguments: [(reserved: 4096, written: 100), (reserved: 100, written: 100), (reserved: 110, written: 100)])
    func compactBytesFitWhatWasWritten(reserved: Int, written: Int) {
        var json = JSONWriter(capacity: reserved)
        for _ in 0..<written { json.raw("x") }
        let compact = json.compactBytes
        #expect(compact == json.bytes)
        #expect(compact.capacity - compact.count <= compact.count / 8 + 16, "capacity \(compact.capacity)")
    }
}
