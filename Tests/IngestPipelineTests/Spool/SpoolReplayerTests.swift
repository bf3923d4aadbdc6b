import AMQPClient
import EventCore
import Foundation
import Testing

@testable import IngestPipeline

@Suite("Spool replayer")
struct SpoolReplayerTests {
    private func replayer(
        _ spool: Spool,
        _ publisher: RecordingPublisher,
        registry: MetricsRegistry = MetricsRegistry(),
        perRound: Int = 4
    ) -> SpoolReplayer {
        SpoolReplayer(
            spool: spool,
            metrics: SpoolMetrics(registry: registry),
            logger: SpoolFixtures.quiet,
            maxMessagesPerRound: perRound,
            pollInterval: .milliseconds(5),
            firstRetryDelay: .milliseconds(5),
            maxRetryDelay: .milliseconds(20),
            isReady: { true },
            publish: { try publisher.publish($0) }
        )
    }

    /// Appends `count` batches of two messages each and returns their message ids in order.
    private func fill(_ spool: Spool, _ tag: String, count: Int) async throws -> [String] {
        var ids: [String] = []
        for index in 0..<count {
            let batch = SpoolFixtures.batch("\(tag)\(index)", bodyBytes: 100)
            try await spool.append(batch)
            ids += batch.map(\.messageID)
        }
        return ids
    }

    private func running(_ replayer: SpoolReplayer, _ body: () async throws -> Void) async throws {
        let task = Task { await replayer.run() }
        defer { replayer.shutdown() }
        try await body()
        replayer.shutdown()
        await task.value
    }

    @Test func replaysInOrderSealsTheActiveSegmentAndDeletesWhatIsConfirmed() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let spool = try SpoolFixtures.openSpool(directory, segmentBytes: 4096)
        let publisher = RecordingPublisher()
        var expected = try await fill(spool, "a", count: 30)
        try await running(replayer(spool, publisher)) {
            let drained = try await eventually { spool.status.isEmpty }
            #expect(drained)
            expected += try await fill(spool, "b", count: 3)
            let drainedAgain = try await eventually { spool.status.isEmpty }
            #expect(drainedAgain)
        }
        #expect(publisher.publishedIDs == expected)
        #expect(try directory.segmentFiles().isEmpty)
        await SpoolFixtures.close(spool)
    }

    @Test func failedRoundsAreRetriedFromTheLastConfirmedRecord() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let spool = try SpoolFixtures.openSpool(directory)
        let expected = try await fill(spool, "r", count: 10)
        let publisher = RecordingPublisher(failFirst: 3)
        let registry = MetricsRegistry()
        try await running(replayer(spool, publisher, registry: registry)) {
            let reached = try await eventually { spool.status.isEmpty }
            #expect(reached)
        }
        #expect(publisher.publishedIDs == expected)
        let metrics = SpoolMetrics(registry: registry)
        #expect(metrics.replayFailures.value == 3)
        #expect(metrics.replayedMessages.value == expected.count)
        #expect(metrics.replayedBatches.value == 10)
        await SpoolFixtures.close(spool)
    }

    @Test func nothingIsDeletedWhileTheBrokerRefuses() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let spool = try SpoolFixtures.openSpool(directory)
        _ = try await fill(spool, "n", count: 5)
        let publisher = RecordingPublisher(succeedOnly: 0)
        try await running(replayer(spool, publisher)) {
            let reached = try await eventually { publisher.calls >= 3 }
            #expect(reached)
        }
        #expect(publisher.publishedIDs.isEmpty)
        #expect(spool.status.bytes > 0)
        #expect(try directory.segmentFiles().count == 1)
        await SpoolFixtures.close(spool)
    }

    @Test func aRestartReplaysOnlyWhatWasNotConfirmed() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let spool = try SpoolFixtures.openSpool(directory)
        let expected = try await fill(spool, "c", count: 20)
        let first = RecordingPublisher(succeedOnly: 3)
        try await running(replayer(spool, first, perRound: 2)) {
            let reached = try await eventually { first.calls >= 5 }
            #expect(reached)
        }
        await SpoolFixtures.close(spool)
        #expect(first.publishedIDs == Array(expected.prefix(6)))

        let reopened = try SpoolFixtures.openSpool(directory)
        let second = RecordingPublisher()
        try await running(replayer(reopened, second, perRound: 2)) {
            let reached = try await eventually { reopened.status.isEmpty }
            #expect(reached)
        }
        #expect(second.publishedIDs == Array(expected.dropFirst(6)))
        await SpoolFixtures.close(reopened)
    }

    @Test func aStaleCursorNeverSkipsRecordsOfANewerSegment() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let stale = ReplayCursor(segment: 1, offset: 100_000)
        try Data(stale.bytes).write(to: URL(fileURLWithPath: directory.path + "/" + ReplayCursor.fileName))
        let spool = try SpoolFixtures.openSpool(directory)
        let expected = try await fill(spool, "s", count: 4)
        #expect(try directory.segmentFiles() == [SpoolSegment.fileName(2)])
        let publisher = RecordingPublisher()
        try await running(replayer(spool, publisher)) {
            let drained = try await eventually { spool.status.isEmpty }
            #expect(drained)
        }
        #expect(publisher.publishedIDs == expected)
        await SpoolFixtures.close(spool)
    }

    @Test func anUndecodableRecordIsSetAsideAndTheRecordsAroundItReplayed() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let good = SpoolFixtures.batch("good", count: 1)
        let record = SpoolRecord.frame(SpoolBatchCodec.encode(good, spooledAtMillis: 1))
        let garbage = SpoolRecord.frame([99, 1, 2, 3])
        try Data(record + garbage + record).write(
            to: URL(fileURLWithPath: directory.path + "/" + SpoolSegment.fileName(1))
        )
        let spool = try SpoolFixtures.openSpool(directory)
        let publisher = RecordingPublisher()
        let registry = MetricsRegistry()
        try await running(replayer(spool, publisher, registry: registry, perRound: 1)) {
            let reached = try await eventually { spool.status.isEmpty }
            #expect(reached)
        }
        #expect(publisher.publishedIDs == ["good-0", "good-0"])
        #expect(SpoolMetrics(registry: registry).setAsideUndecodable.value == 1)
        let kept = try SpoolFileOps.readAll(
            directory.path + "/set-aside/" + SpoolSetAside.fileName(.undecodable, segment: 1, offset: record.count)
        )
        #expect(kept == garbage, "the record is kept byte for byte")
        await SpoolFixtures.close(spool)
    }

    @Test func damageFoundWhileRunningIsSkippedReportedOnceAndACopyKept() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let spool = try SpoolFixtures.openSpool(directory)
        let expected = try await fill(spool, "d", count: 3)
        try await spool.seal()
        let path = spool.path(of: try #require(spool.oldestSegment()).id)
        var bytes = try SpoolFileOps.readAll(path)
        let records = SpoolRecord.scan(bytes).records
        bytes[records[1].payload.lowerBound + 5] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let publisher = RecordingPublisher(failFirst: 2)
        try await running(replayer(spool, publisher)) {
            let drained = try await eventually { spool.status.isEmpty }
            #expect(drained)
        }
        #expect(publisher.publishedIDs == expected.filter { !$0.hasPrefix("d1-") })
        #expect(spool.metrics.damagedRuns.value == 1, "reported once although the segment was read three times")
        #expect(spool.metrics.damagedBytes.value == records[1].end - records[1].start)
        let copy = try SpoolFileOps.readAll(directory.path + "/damaged/" + (path as NSString).lastPathComponent)
        #expect(copy == bytes)
        await SpoolFixtures.close(spool)
    }
}
