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

    @Test func aCorruptByteCutsFromThatRecordOn() async throws {
        let (bytes, lastStart) = try await segmentBytes(records: 3)
        var damaged = bytes
        damaged[lastStart - 3] ^= 0xFF
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        try write(damaged, segment: 1, in: directory)
        let spool = try SpoolFixtures.openSpool(directory)
        let segment = try #require(spool.oldestSegment())
        #expect(try spool.records(in: segment).records.count == 1)
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
