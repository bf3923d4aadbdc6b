import AMQPClient
import EventCore
import Foundation
import Testing

@testable import IngestPipeline

@Suite("Spool inspect and set-aside replay")
struct SpoolToolTests {
    private func write(_ bytes: [UInt8], _ path: String, in directory: TemporarySpoolDirectory) throws {
        let url = URL(fileURLWithPath: directory.path + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    private func record(_ tag: String, count: Int = 2, at millis: UInt64 = 1_764_460_800_000) -> [UInt8] {
        SpoolRecord.frame(SpoolBatchCodec.encode(SpoolFixtures.batch(tag, count: count), spooledAtMillis: millis))
    }

    @Test func inspectListsEveryFileItsRecordsAndTheDamage() throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let damaged = record("a") + [1, 2, 3, 4, 5, 6, 7, 8, 9] + record("b")
        try write(damaged, SpoolSegment.fileName(2), in: directory)
        try write(damaged, "damaged/" + SpoolSegment.fileName(2), in: directory)
        try write(
            record("r", count: 1),
            "set-aside/" + SpoolSetAside.fileName(.refused, segment: 1, offset: 0),
            in: directory
        )
        try write(
            SpoolRecord.frame([99]),
            "set-aside/" + SpoolSetAside.fileName(.undecodable, segment: 1, offset: 0),
            in: directory
        )
        let inspection = try SpoolInspection.read(directory.path)
        #expect(inspection.files.map(\.role) == [.segment, .damagedCopy, .refused, .undecodable])
        let segment = inspection.files[0]
        #expect(segment.records.count == 2 && segment.records.allSatisfy { $0.messages == 2 && $0.version == 2 })
        #expect(segment.records[0].routingKeys == ["app.event0", "app.event1"])
        #expect(segment.records[0].spooledAt?.hasPrefix("2025-11-30T00:00:00") == true)
        #expect(segment.damage.map(\.bytes) == [9])
        #expect(inspection.files[3].records.first?.error?.contains("version 99") == true)
        let summary = inspection.summary
        #expect(summary.waitingMessages == 4 && summary.refusedMessages == 1 && summary.undecodableRecords == 1)
        #expect(summary.damagedRuns == 1 && summary.damagedBytes == 9)
        #expect(inspection.text.contains("damage at offset \(record("a").count): 9 bytes skipped"))
        let json = try JSONSerialization.jsonObject(with: Data(inspection.json.utf8)) as? [String: Any]
        #expect((json?["files"] as? [Any])?.count == 4)
    }

    @Test func inspectReadsTheReceiveTimesOfTheGoldenFormat1File() throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let url = try #require(
            Bundle.module.url(forResource: "segment-format1", withExtension: "wal", subdirectory: "Golden")
        )
        try write(Array(try Data(contentsOf: url)), SpoolSegment.fileName(1), in: directory)
        let records = try SpoolInspection.read(directory.path).files[0].records
        #expect(records.map(\.version) == [1, 1])
        #expect(records[0].spooledAt == nil)
        #expect(records[0].receivedFrom?.hasPrefix("2025-11-30T00:00:00") == true)
        #expect(records[1].routingKeys == ["app.close", "logs.trace"])
    }

    @Test func replayDeletesWhatIsConfirmedAndKeepsWhatIsRefusedAgain() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let first = "set-aside/" + SpoolSetAside.fileName(.refused, segment: 1, offset: 0)
        let second = "set-aside/" + SpoolSetAside.fileName(.refused, segment: 1, offset: 500)
        try write(record("a") + record("b"), first, in: directory)
        try write(record("c"), second, in: directory)
        let publisher = RecordingPublisher(refusing: ["b-1"])
        let replay = SpoolSetAsideReplay(directory: directory.path, logger: SpoolFixtures.quiet) {
            try publisher.publish($0)
        }
        let outcome = try await replay.run()
        #expect(outcome.replayed == 5 && outcome.refusedAgain == 1)
        #expect(outcome.filesEmptied == 1 && outcome.filesLeft == [first])
        let left = try SpoolFileOps.readAll(directory.path + "/" + first)
        let messages = try SpoolRecord.scan(left).records.flatMap {
            try SpoolBatchCodec.decode(left[$0.payload]).messages
        }
        #expect(messages.map(\.messageID) == ["b-1"], "only the refused message is kept")
        publisher.acceptEverything()
        let again = try await replay.run()
        #expect(again.replayed == 1 && again.filesLeft.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/" + first))
        #expect(Set(publisher.publishedIDs) == ["a-0", "a-1", "b-0", "b-1", "c-0", "c-1"])
    }

    @Test func aSecondReplayAtTheSameTimeIsRefused() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let held = try SpoolRecovery.lock(directory.path, file: "set-aside/LOCK")
        defer { close(held) }
        let replay = SpoolSetAsideReplay(directory: directory.path, logger: SpoolFixtures.quiet) { _ in }
        await #expect(throws: SpoolError.self) { try await replay.run() }
    }

    @Test func aQuarantinedSegmentOfAnOlderBuildIsReplayedAndDeleted() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let quarantined = SpoolSegment.fileName(3) + ".quarantined"
        try write(record("q") + record("r"), quarantined, in: directory)
        #expect(try SpoolInspection.read(directory.path).files.map(\.role) == [.quarantined])
        let publisher = RecordingPublisher()
        let outcome = try await SpoolSetAsideReplay(directory: directory.path, logger: SpoolFixtures.quiet) {
            try publisher.publish($0)
        }.run()
        #expect(outcome == SpoolSetAsideReplay.Outcome(replayed: 4, refusedAgain: 0, filesEmptied: 1, filesLeft: []))
        #expect(publisher.publishedIDs == ["q-0", "q-1", "r-0", "r-1"])
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/" + quarantined))
    }
}
