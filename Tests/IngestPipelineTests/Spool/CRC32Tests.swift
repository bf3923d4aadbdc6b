import Testing

@testable import IngestPipeline

@Suite("CRC-32")
struct CRC32Tests {
    @Test(arguments: [
        ("", 0x0000_0000 as UInt32),
        ("a", 0xE8B7_BE43),
        ("123456789", 0xCBF4_3926),
        ("The quick brown fox jumps over the lazy dog", 0x414F_A339),
    ])
    func knownValues(text: String, expected: UInt32) {
        #expect(CRC32.checksum(Array(text.utf8)) == expected)
    }

    @Test func continuingEqualsOnePass() {
        let bytes = Array("split across two calls".utf8)
        let first = CRC32.checksum(bytes[..<7])
        #expect(CRC32.checksum(bytes[7...], continuing: first) == CRC32.checksum(bytes))
    }

    @Test func everySingleBitFlipChangesTheChecksum() {
        let bytes = Array("record payload".utf8)
        let original = CRC32.checksum(bytes)
        for index in bytes.indices {
            for bit in 0..<8 {
                var flipped = bytes
                flipped[index] ^= 1 << bit
                #expect(CRC32.checksum(flipped) != original)
            }
        }
    }
}
