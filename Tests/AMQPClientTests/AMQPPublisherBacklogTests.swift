import EventCore
import Testing

@testable import AMQPClient

/// The publisher's queue of calls is bounded (a stalled broker must not make the gateway hold every batch in
/// memory twice): without a thread to take them, `maxQueuedCalls` calls queue and the next is refused at once
/// with `backlogFull`, nothing of it queued; `status` reports the depth.
@Suite("AMQP publisher backlog", .timeLimit(.minutes(1)))
struct AMQPPublisherBacklogTests {
    @Test func callsBeyondTheBoundAreRefusedAtOnce() async throws {
        let publisher = AMQPPublisher(
            configuration: AMQPConfiguration(port: 1),
            declarations: [],
            logger: Logger(label: "amqp-test", minimumLevel: .critical),
            maxQueuedCalls: 3
        )
        let queued = (0..<3).map { index in
            Task { try await publisher.publish([AMQPPublisherCancellationTests.message("m\(index)")]) }
        }
        try await AMQPPublisherCancellationTests.waitForCalls(publisher, count: 3)
        #expect(publisher.status.queuedCalls == 3)
        #expect(!publisher.status.isConnected && publisher.status.awaitingConfirmSince == nil)

        let error = await #expect(throws: AMQPError.self) {
            try await publisher.publish([AMQPPublisherCancellationTests.message("refused")])
        }
        #expect(error?.code == .backlogFull)
        // The three calls run as separate tasks, so they may queue in any order; the refused one never queues.
        #expect(AMQPPublisherCancellationTests.queued(publisher).sorted() == ["m0", "m1", "m2"])

        publisher.shutdown()
        for call in queued {
            let failure = await #expect(throws: AMQPError.self) { try await call.value }
            #expect(failure?.code == .shutdown)
        }
        await publisher.waitUntilStopped()
    }
}
