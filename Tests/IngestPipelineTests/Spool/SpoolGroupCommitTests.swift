import EventCore
import Foundation
import Synchronization
import Testing

@testable import IngestPipeline

@Suite("Spool group commit")
struct SpoolGroupCommitTests {
    /// The first fsync is held until every other append is queued, so the rest must share one fsync.
    @Test func concurrentAppendsShareFsyncs() async throws {
        let appends = 64
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let spoolBox = Mutex<Spool?>(nil)
        let groups = Mutex<[Int]>([])
        let spool = try SpoolFixtures.openSpool(
            directory,
            beforeSync: { records in
                let isFirst = groups.withLock { groups in
                    groups.append(records)
                    return groups.count == 1
                }
                guard isFirst, let spool = spoolBox.withLock({ $0 }) else { return }
                let deadline = ContinuousClock.now + .seconds(20)
                while spool.owner.withLock({ $0.pending.count }) < appends - records, ContinuousClock.now < deadline {
                    Thread.sleep(forTimeInterval: 0.005)
                }
            }
        )
        spoolBox.withLock { $0 = spool }
        let registry = spool.metrics
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<appends {
                group.addTask { try await spool.append(SpoolFixtures.batch("g\(index)", count: 1)) }
            }
            try await group.waitForAll()
        }
        let observed = groups.withLock { $0 }
        #expect(observed.reduce(0, +) == appends)
        #expect(observed.count <= 2, "group sizes: \(observed)")
        #expect(registry.syncs.value == observed.count)
        #expect(registry.batchesAppended.value == appends)
        await SpoolFixtures.close(spool)
        let reopened = try SpoolFixtures.openSpool(directory)
        let segment = try #require(reopened.oldestSegment())
        #expect(try reopened.records(in: segment).records.count == appends)
        await SpoolFixtures.close(reopened)
    }
}
