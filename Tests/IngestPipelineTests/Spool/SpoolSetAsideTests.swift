import AMQPClient
import EventCore
import Foundation
import Synchronization
import Testing

@testable import IngestPipeline

@Suite("Spool replay sets refused messages aside")
struct SpoolSetAsideTests {
    @Test(arguments: [AMQPError.Code.publishNacked, .publishReturned])
    func refusedMessagesAreSetAsideOnceAndTheReplayGoesOn(refusal: AMQPError.Code) async throws {
        let directory = try TemporarySpoolDirectory()
        defer { directory.remove() }
        let spool = try SpoolFixtures.openSpool(directory)
        var ids: [String] = []
        for index in 0..<6 {
            let batch = SpoolFixtures.batch("r\(index)")
            try await spool.append(batch)
            ids += batch.map(\.messageID)
        }
        let refused: Set<String> = ["r1-0", "r4-1"]
        let publisher = RecordingPublisher(refusing: refused, refusal: refusal)
        let registry = MetricsRegistry()
        let replayer = SpoolReplayer(
            spool: spool,
            metrics: SpoolMetrics(registry: registry),
            logger: SpoolFixtures.quiet,
            maxMessagesPerRound: 4,
            pollInterval: .milliseconds(5),
            firstRetryDelay: .milliseconds(5),
            maxRetryDelay: .milliseconds(20),
            isReady: { true },
            publish: { try publisher.publish($0) }
        )
        let task = Task { await replayer.run() }
        let drained = try await eventually { spool.status.isEmpty }
        replayer.shutdown()
        await task.value
        #expect(drained, "the replay does not stop at a refused message")
        #expect(Set(publisher.publishedIDs) == Set(ids).subtracting(refused))
        // 3 rounds of 2 records: each round with a refusal is published once whole and once message by message.
        #expect(publisher.calls <= 3 + 2 * 4, "no round is published again and again")
        let metrics = SpoolMetrics(registry: registry)
        #expect(metrics.setAsideRefused.value == 2)
        #expect(metrics.replayedMessages.value == ids.count - 2)
        #expect(metrics.replayFailures.value == 0)
        let folder = directory.path + "/" + SpoolSetAside.folder
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(files.count == 2 && files.allSatisfy { $0.hasPrefix("refused-") })
        let kept = try files.flatMap { name in
            let bytes = try SpoolFileOps.readAll(folder + "/" + name)
            return try SpoolRecord.scan(bytes).records.flatMap {
                try SpoolBatchCodec.decode(bytes[$0.payload]).messages
            }
        }
        #expect(Set(kept.map(\.messageID)) == refused)
        let originals = (0..<6).flatMap { SpoolFixtures.batch("r\($0)") }.filter { refused.contains($0.messageID) }
        #expect(kept.map(MessageFields.init) == originals.map(MessageFields.init), "kept whole, in order")
        await SpoolFixtures.close(spool)
    }

    @Test func aConnectionFailureDuringARefusedRoundSetsNothingAsideAndRetriesTheRound() async throws {
        let batches = [SpoolBatch(messages: SpoolFixtures.batch("x", count: 3), version: 2, spooledAtMillis: 1)]
        let calls = Mutex(0)
        await #expect(throws: AMQPError.self) {
            _ = try await SpoolRoundPublisher.publish(batches) { messages in
                let call = calls.withLock { count -> Int in
                    count += 1
                    return count
                }
                if call == 1 { throw AMQPError(code: .publishNacked, message: "test: refused") }
                if messages.first?.messageID == "x-1" {
                    throw AMQPError(code: .connectionClosed, message: "test: the broker went away")
                }
            }
        }
    }

    /// The publisher refuses a call beyond 16 waiting ones (`backlogFull`): a refused round of many messages must
    /// learn their fates a window at a time, not fail the round as a backlog and loop.
    @Test func aLargeRefusedRoundLearnsItsFatesWithinThePublishersBound() async throws {
        let batches = [SpoolBatch(messages: SpoolFixtures.batch("w", count: 40), version: 2, spooledAtMillis: 1)]
        let state = Mutex((calls: 0, inFlight: 0, most: 0))
        let refused = try await SpoolRoundPublisher.publish(batches) { messages in
            let (call, inFlight) = state.withLock { state -> (Int, Int) in
                state.calls += 1
                state.inFlight += 1
                state.most = max(state.most, state.inFlight)
                return (state.calls, state.inFlight)
            }
            defer { state.withLock { $0.inFlight -= 1 } }
            if inFlight > 16 { throw AMQPError(code: .backlogFull, message: "test: 16 calls wait already") }
            try await Task.sleep(for: .milliseconds(2))
            if call == 1 || messages.first?.messageID == "w-7" {
                throw AMQPError(code: .publishNacked, message: "test: refused")
            }
        }
        #expect(refused.flatMap(\.messages).map(\.messageID) == ["w-7"])
        #expect(state.withLock { $0.most } <= SpoolRoundPublisher.window)
    }
}
