import AMQPClient
import EventCore
import Foundation
import Synchronization
import Testing

@testable import IngestPipeline

/// `Golden/segment-format1.wal` was written once by the spool of commit ac37f25 (before record times, payload
/// format version 1) and is never regenerated: today's reader must replay it.
@Suite("Spool format versions")
struct SpoolFormatVersionTests {
    private func golden() throws -> [UInt8] {
        let url = try #require(
            Bundle.module.url(forResource: "segment-format1", withExtension: "wal", subdirectory: "Golden")
        )
        return Array(try Data(contentsOf: url))
    }

    @Test func theGoldenFileIsFormatVersion1() throws {
        let bytes = try golden()
        let scan = SpoolRecord.scan(bytes)
        #expect(scan.damages.isEmpty)
        #expect(scan.records.count == 2)
        for record in scan.records {
            let (version, spooledAt) = try SpoolBatchCodec.peek(bytes[record.payload])
            #expect(version == 1)
            #expect(spooledAt == nil)
        }
    }

    @Test func todaysRecordsAreFormatVersion2WithTheirSpoolTime() throws {
        let payload = SpoolBatchCodec.encode(SpoolFixtures.batch("v2"), spooledAtMillis: 1_764_460_800_000)
        #expect(payload.first == 2)
        let (version, spooledAt) = try SpoolBatchCodec.peek(payload[...])
        #expect(version == 2)
        #expect(spooledAt == 1_764_460_800_000)
    }

    @Test func aSpoolOfFormatVersion1IsReplayedWhole() async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let bytes = try golden()
        try Data(bytes).write(to: URL(fileURLWithPath: directory.path + "/" + SpoolSegment.fileName(3)))
        let spool = try SpoolFixtures.openSpool(directory)
        let age = spool.metrics.oldestRecord.ageSeconds(nowMillis: Spool.nowMillis())
        #expect(age >= 0 && age < 60, "a version 1 segment's age falls back to its file's modification time")
        try await spool.append(SpoolFixtures.batch("new", count: 1))
        let publisher = RecordingPublisher()
        let published = Mutex<[OutgoingMessage]>([])
        let replayer = SpoolReplayer(
            spool: spool,
            metrics: SpoolMetrics(registry: MetricsRegistry()),
            logger: SpoolFixtures.quiet,
            pollInterval: .milliseconds(5),
            isReady: { true },
            publish: { messages in
                try publisher.publish(messages)
                published.withLock { $0 += messages }
            }
        )
        let task = Task { await replayer.run() }
        let drained = try await eventually { spool.status.isEmpty }
        replayer.shutdown()
        await task.value
        #expect(drained)
        let messages = published.withLock { $0 }
        #expect(messages.map(\.messageID) == ["golden-m1", "golden-m2", "golden-m3", "new-0"])
        let first = try #require(messages.first)
        #expect(first.exchange == "events" && first.routingKey == "app.open")
        #expect(first.headers["x-int"] == .int64(-7))
        #expect(first.headers["x-array"] == .array([.int64(1), .string("two")]))
        #expect(first.headers["x-table"] == .table(["k": .void]))
        #expect(String(decoding: first.body, as: UTF8.self).contains(#""receivedAt":1764460800000"#))
        let third = messages[2]
        #expect(third.contentType == "text/plain" && !third.persistent && !third.mandatory)
        await SpoolFixtures.close(spool)
    }
}
