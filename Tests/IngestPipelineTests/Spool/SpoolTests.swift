import AMQPClient
import EventCore
import Foundation
import Testing

@testable import IngestPipeline

@Suite("Spool appends, reopening, rotation and limits")
struct SpoolTests {
    /// Every record of every segment, oldest first, decoded.
    private func spooledIDs(_ spool: Spool) throws -> [String] {
        let segments = spool.owner.withLock { $0.segments }
        return try segments.filter { $0.bytes > 0 }.flatMap { segment in
            let (bytes, records) = try spool.records(in: segment)
            return try records.flatMap { try SpoolBatchCodec.decode(bytes[$0.payload]).messages.map(\.messageID) }
        }
    }

    @Test func appendedBatchesSurviveReopeningInOrder() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let spool = try SpoolFixtures.openSpool(directory)
        for index in 0..<5 {
            try await spool.append(SpoolFixtures.batch("b\(index)"))
        }
        let status = spool.status
        await SpoolFixtures.close(spool)

        let reopened = try SpoolFixtures.openSpool(directory)
        #expect(reopened.status == status)
        #expect(try spooledIDs(reopened) == (0..<5).flatMap { ["b\($0)-0", "b\($0)-1"] })
        #expect(reopened.owner.withLock { $0.segments.allSatisfy(\.sealed) })
        try await reopened.append(SpoolFixtures.batch("after"))
        #expect(try directory.segmentFiles().count == 2, "a reopened spool appends to a new segment")
        await SpoolFixtures.close(reopened)
    }

    @Test func segmentsRotateAtTheConfiguredSize() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let spool = try SpoolFixtures.openSpool(directory, segmentBytes: 4096)
        for index in 0..<40 {
            try await spool.append(SpoolFixtures.batch("r\(index)", bodyBytes: 100))
        }
        let files = try directory.segmentFiles()
        #expect(files.count > 1)
        for file in files {
            let size = try FileManager.default.attributesOfItem(atPath: directory.path + "/" + file)[.size] as? Int
            #expect((size ?? .max) <= 4096, "\(file) holds \(size ?? -1) bytes")
        }
        #expect(spool.status.segments == files.count)
        #expect(try spooledIDs(spool) == (0..<40).flatMap { ["r\($0)-0", "r\($0)-1"] })
        await SpoolFixtures.close(spool)
    }

    @Test func aFullSpoolRefusesWithFullAndKeepsWhatItHas() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let registry = MetricsRegistry()
        let spool = try SpoolFixtures.openSpool(directory, maxBytes: 2000, registry: registry)
        var accepted = 0
        var refusal: SpoolError?
        for index in 0..<50 {
            do {
                try await spool.append(SpoolFixtures.batch("f\(index)", bodyBytes: 100))
                accepted += 1
            } catch let error as SpoolError {
                refusal = error
                break
            }
        }
        #expect(refusal?.code == .full)
        #expect(refusal?.message.contains("SPOOL_MAX_BYTES") == true)
        #expect(accepted > 0)
        #expect(spool.status.bytes <= 2000)
        #expect(try spooledIDs(spool).count == accepted * 2)
        #expect(SpoolMetrics(registry: registry).appendsRefused.value == 1)
        await SpoolFixtures.close(spool)
    }

    @Test func appendAfterShutdownIsRefusedAsClosed() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let spool = try SpoolFixtures.openSpool(directory)
        await SpoolFixtures.close(spool)
        await #expect(throws: SpoolError.self) { try await spool.append(SpoolFixtures.batch("late")) }
    }

    @Test func aSecondSpoolOnTheSameDirectoryIsRefused() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let spool = try SpoolFixtures.openSpool(directory)
        let error = #expect(throws: SpoolError.self) { try SpoolFixtures.openSpool(directory) }
        #expect(error?.code == .locked)
        await SpoolFixtures.close(spool)
        let again = try SpoolFixtures.openSpool(directory)
        await SpoolFixtures.close(again)
    }

    @Test func configurationReadsTheEnvironment() throws {
        let parsed = try SpoolConfiguration(
            environment: Environment(["SPOOL_DIR": "/var/spool/x", "SPOOL_MAX_BYTES": "1048576"])
        )
        #expect(parsed.directory == "/var/spool/x")
        #expect(parsed.maxBytes == 1_048_576)
        #expect(parsed.segmentBytes == 16 << 20)
        #expect(try SpoolConfiguration(environment: Environment([:])).directory == "spool")
        #expect(throws: ConfigurationError.self) {
            try SpoolConfiguration(environment: Environment(["SPOOL_MAX_BYTES": "lots"]))
        }
    }
}
