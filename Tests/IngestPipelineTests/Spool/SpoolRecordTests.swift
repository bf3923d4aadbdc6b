import Testing

@testable import IngestPipeline

@Suite("Spool record framing")
struct SpoolRecordTests {
    private let payloads: [[UInt8]] = [Array("first".utf8), Array(repeating: 7, count: 300), Array("last one".utf8)]

    private var framed: [UInt8] { payloads.flatMap(SpoolRecord.frame) }

    @Test func frameIsLengthChecksumPayload() {
        let record = SpoolRecord.frame([1, 2, 3])
        #expect(record.count == SpoolRecord.headerBytes + 3)
        #expect(Array(record[0..<4]) == [3, 0, 0, 0])
        #expect(UInt32(littleEndianBytes: record[4..<8]) == CRC32.checksum([3, 0, 0, 0, 1, 2, 3]))
        #expect(Array(record[8...]) == [1, 2, 3])
    }

    @Test func scanFindsEveryWholeRecord() {
        let bytes = framed
        let scan = SpoolRecord.scan(bytes)
        #expect(scan.damage == nil)
        #expect(scan.validEnd == bytes.count)
        #expect(scan.records.map { Array(bytes[$0.payload]) } == payloads)
        #expect(scan.records.first?.start == 0)
        #expect(scan.records.last?.end == bytes.count)
    }

    @Test func tornLastRecordAtEveryOffsetKeepsTheWholeOnes() {
        let bytes = framed
        let lastStart = bytes.count - SpoolRecord.frame(payloads[2]).count
        for cut in lastStart..<bytes.count {
            let scan = SpoolRecord.scan(Array(bytes[..<cut]))
            #expect(scan.records.count == 2, "cut at \(cut)")
            #expect(scan.validEnd == lastStart, "cut at \(cut)")
            #expect((scan.damage != nil) == (cut > lastStart), "cut at \(cut)")
        }
    }

    @Test func flippedPayloadByteStopsTheScanThere() {
        var bytes = framed
        let secondStart = SpoolRecord.frame(payloads[0]).count
        bytes[secondStart + SpoolRecord.headerBytes + 10] ^= 0x40
        let scan = SpoolRecord.scan(bytes)
        #expect(scan.records.count == 1)
        #expect(scan.validEnd == secondStart)
        #expect(scan.damage?.contains("checksum") == true)
    }

    @Test(arguments: [UInt32(0), UInt32(SpoolRecord.maxPayloadBytes + 1), UInt32.max])
    func impossibleLengthIsDamage(length: UInt32) {
        let bytes = length.littleEndianBytes + [0, 0, 0, 0] + Array(repeating: 0, count: 16)
        let scan = SpoolRecord.scan(bytes)
        #expect(scan.records.isEmpty)
        #expect(scan.validEnd == 0)
        #expect(scan.damage?.contains("impossible record length") == true)
    }

    @Test func zeroFilledTailIsDamageNotRecords() {
        let bytes = framed + Array(repeating: 0, count: 64)
        let scan = SpoolRecord.scan(bytes)
        #expect(scan.records.count == 3)
        #expect(scan.damage != nil)
    }
}
