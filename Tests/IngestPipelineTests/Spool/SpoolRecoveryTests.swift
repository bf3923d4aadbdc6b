import EventCore
import Foundation
import Testing

@testable import IngestPipeline

@Suite("Spool recovery after a crash")
struct SpoolRecoveryTests {
    /// The bytes of one segment holding `count` records, and where its last record starts.
    private func segmentBytes(records count: Int) async throws -> (bytes: [UInt8], lastStart: Int) {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let spool = try SpoolFixtures.openSpool(directory)
        for index in 0..<count {
            try await spool.append(SpoolFixtures.batch("t\(index)", count: 1, bodyBytes: 20))
        }
        await SpoolFixtures.close(spool)
        let file = try #require(try directory.segmentFiles().first)
        let bytes = try SpoolFileOps.readAll(directory.path + "/" + file)
        return (bytes, try #require(SpoolRecord.scan(bytes).records.last).start)
    }

    private func write(_ bytes: [UInt8], segment id: UInt64, in directory: TemporarySpoolDirectory) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: directory.path + "/" + SpoolSegment.fileName(id)))
    }

    @Test func aTornLastRecordIsCutOffAtEveryByteOffset() async throws {
        let (bytes, lastStart) = try await segmentBytes(records: 3)
        for cut in lastStart..<bytes.count {
            let directory = try TemporarySpoolDirectory()
            defer { directory.remove() }
            try write(Array(bytes[..<cut]), segment: 7, in: directory)
            let registry = MetricsRegistry()
            let spool = try SpoolFixtures.openSpool(directory, registry: registry)
            #expect(spool.status.bytes == lastStart, "cut at \(cut)")
            let segment = try #require(spool.oldestSegment())
            #expect(try spool.records(in: segment).records.count == 2, "cut at \(cut)")
            let size = try FileManager.default.attributesOfItem(atPath: spool.path(of: 7))[.size] as? Int
            #expect(size == lastStart, "the file is truncated (cut at \(cut))")
            #expect(SpoolMetrics(registry: registry).tailsCut.value == (cut > lastStart ? 1 : 0))
            await SpoolFixtures.close(spool)
        }
    }

    @Test func aCorruptByteInTheMiddleIsSkippedReportedAndACopyKept() async throws {
        let (bytes, lastStart) = try await segmentBytes(records: 3)
        var damaged = bytes
        damaged[lastStart - 3] ^= 0xFF
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        try write(damaged, segment: 1, in: directory)
        let registry = MetricsRegistry()
        let spool = try SpoolFixtures.openSpool(directory, registry: registry)
        let segment = try #require(spool.oldestSegment())
        let records = try spool.records(in: segment).records
        #expect(records.count == 2, "the first and last records are kept")
        #expect(records.last?.start == lastStart)
        let metrics = SpoolMetrics(registry: registry)
        #expect(metrics.damagedRuns.value == 1, "reported once, at start-up, not again when read")
        #expect(metrics.damagedBytes.value == lastStart - (records.first?.end ?? 0))
        #expect(metrics.tailsCut.value == 0)
        let copy = try SpoolFileOps.readAll(directory.path + "/damaged/" + SpoolSegment.fileName(1))
        #expect(copy == damaged, "the damaged segment is kept as it was")
        await SpoolFixtures.close(spool)
    }

    @Test func aTornTailKeepsNoCopyButAFlippedLastRecordDoes() async throws {
        let (bytes, lastStart) = try await segmentBytes(records: 2)
        for (damaged, copied) in [(Array(bytes.dropLast(3)), false), (bytes.flippingByte(at: lastStart + 9), true)] {
            let directory = try TemporarySpoolDirectory()
            defer { directory.remove() }
            try write(damaged, segment: 1, in: directory)
            let spool = try SpoolFixtures.openSpool(directory)
            #expect(spool.status.bytes == lastStart)
            let copy = directory.path + "/damaged/" + SpoolSegment.fileName(1)
            #expect(FileManager.default.fileExists(atPath: copy) == copied)
            await SpoolFixtures.close(spool)
        }
    }

    @Test func theOldestRecordAgeFollowsTheSpoolTimes() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let old = Spool.nowMillis() - 90_000
        let records = [old, old + 30_000].flatMap { millis in
            SpoolRecord.frame(SpoolBatchCodec.encode(SpoolFixtures.batch("t\(millis)"), spooledAtMillis: millis))
        }
        try write(records, segment: 4, in: directory)
        let spool = try SpoolFixtures.openSpool(directory)
        let age = spool.metrics.oldestRecord.ageSeconds(nowMillis: Spool.nowMillis())
        #expect(age >= 90 && age < 120)
        try spool.removeSegment(4)
        #expect(spool.metrics.oldestRecord.ageSeconds(nowMillis: Spool.nowMillis()) == 0)
        await SpoolFixtures.close(spool)
    }

    @Test func aSegmentWithNoWholeRecordIsRemoved() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        try write([5, 0, 0], segment: 3, in: directory)
        try write([], segment: 4, in: directory)
        let spool = try SpoolFixtures.openSpool(directory)
        #expect(spool.status == SpoolStatus(bytes: 0, segments: 0))
        #expect(try directory.segmentFiles().isEmpty)
        try await spool.append(SpoolFixtures.batch("new"))
        #expect(try directory.segmentFiles() == [SpoolSegment.fileName(5)], "ids continue after the highest seen")
        await SpoolFixtures.close(spool)
    }

    @Test func foreignFilesAreLeftAlone() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let foreign = directory.path + "/segment-1.wal.quarantined"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: foreign))
        let spool = try SpoolFixtures.openSpool(directory)
        #expect(spool.status.segments == 0)
        #expect(FileManager.default.fileExists(atPath: foreign))
        await SpoolFixtures.close(spool)
    }
}

extension Array where Element == UInt8 {
    func flippingByte(at index: Int) -> [UInt8] {
        var copy = self
        copy[index] ^= 0x20
        return copy
    }
}
