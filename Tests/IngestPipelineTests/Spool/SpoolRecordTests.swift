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
        #expect(scan.damages.isEmpty)
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
            #expect((scan.tail != nil) == (cut > lastStart), "cut at \(cut)")
            #expect(scan.inner.isEmpty, "cut at \(cut)")
        }
    }

    /// Where a flipped byte lands in the middle record: each part of its header, and its payload.
    enum Position: String, CaseIterable, CustomTestStringConvertible {
        case lengthLowByte, lengthHighByte, checksum, payloadFirstByte, payloadMiddle, payloadLastByte

        func offset(recordStart: Int, payloadCount: Int) -> Int {
            let payload = recordStart + SpoolRecord.headerBytes
            return switch self {
            case .lengthLowByte: recordStart
            case .lengthHighByte: recordStart + 3
            case .checksum: recordStart + 5
            case .payloadFirstByte: payload
            case .payloadMiddle: payload + payloadCount / 2
            case .payloadLastByte: payload + payloadCount - 1
            }
        }

        var testDescription: String { rawValue }
    }

    @Test(arguments: Position.allCases, [UInt8(0x01), 0x40, 0xFF])
    func aFlippedByteInTheMiddleRecordResynchronisesOnTheNextOne(position: Position, flip: UInt8) {
        var bytes = framed
        let secondStart = SpoolRecord.frame(payloads[0]).count
        let secondLength = SpoolRecord.frame(payloads[1]).count
        bytes[position.offset(recordStart: secondStart, payloadCount: payloads[1].count)] ^= flip
        let scan = SpoolRecord.scan(bytes)
        #expect(scan.records.map { Array(bytes[$0.payload]) } == [payloads[0], payloads[2]])
        #expect(scan.tail == nil)
        #expect(scan.inner.map(\.offset) == [secondStart])
        #expect(scan.inner.map(\.length) == [secondLength], "the damage is exactly the middle record")
        #expect(scan.validEnd == bytes.count)
    }

    @Test(arguments: Position.allCases)
    func aFlippedByteInTheFirstRecordKeepsEveryLaterOne(position: Position) {
        var bytes = framed
        bytes[position.offset(recordStart: 0, payloadCount: payloads[0].count)] ^= 0x10
        let scan = SpoolRecord.scan(bytes)
        #expect(scan.records.map { Array(bytes[$0.payload]) } == Array(payloads.dropFirst()))
        #expect(scan.inner.map(\.offset) == [0])
    }

    @Test func aFlippedByteInTheLastRecordIsATailWithNothingAfterIt() {
        var bytes = framed
        bytes[bytes.count - 2] ^= 0x01
        let scan = SpoolRecord.scan(bytes)
        #expect(scan.records.count == 2)
        #expect(scan.inner.isEmpty)
        #expect(scan.tail?.reason.contains("checksum") == true)
    }

    @Test func garbageBetweenRecordsIsSkipped() {
        let garbage: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF, 5, 0, 0, 0, 1, 2]
        let bytes = SpoolRecord.frame(payloads[0]) + garbage + SpoolRecord.frame(payloads[1])
        let scan = SpoolRecord.scan(bytes)
        #expect(scan.records.count == 2)
        #expect(
            scan.inner == [SpoolRecord.Damage(offset: 13, length: 10, reason: "an impossible record length 4022250974")]
        )
    }

    @Test(arguments: [UInt32(0), UInt32(SpoolRecord.maxPayloadBytes + 1), UInt32.max])
    func impossibleLengthIsDamage(length: UInt32) {
        let bytes = length.littleEndianBytes + [0, 0, 0, 0] + Array(repeating: 0, count: 16)
        let scan = SpoolRecord.scan(bytes)
        #expect(scan.records.isEmpty)
        #expect(scan.validEnd == 0)
        #expect(scan.tail?.reason.contains("impossible record length") == true)
        #expect(scan.tail?.length == bytes.count)
    }

    @Test func zeroFilledTailIsDamageNotRecords() {
        let bytes = framed + Array(repeating: 0, count: 64)
        let scan = SpoolRecord.scan(bytes)
        #expect(scan.records.count == 3)
        #expect(scan.tail?.length == 64)
        #expect(scan.inner.isEmpty)
    }
}
