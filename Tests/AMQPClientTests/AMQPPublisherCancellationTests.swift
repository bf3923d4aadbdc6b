import EventCore
import Testing

@testable import AMQPClient

/// Cancelling `publish` without a broker: the publisher is never started, so every call stays queued until the
/// test cancels it, takes it as the publishing thread would, or shuts the publisher down.
@Suite("AMQP publisher cancellation", .timeLimit(.minutes(1)))
struct AMQPPublisherCancellationTests {
    static func publisher() -> AMQPPublisher {
        AMQPPublisher(
            configuration: AMQPConfiguration(port: 1),
            declarations: [],
            logger: Logger(label: "amqp-test", minimumLevel: .critical)
        )
    }

    static func message(_ id: String) -> OutgoingMessage {
        OutgoingMessage(exchange: "x", routingKey: "k", body: Array(id.utf8), messageID: id)
    }

    /// Waits until `count` calls wait for an answer (queued or taken).
    static func waitForCalls(_ publisher: AMQPPublisher, count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while publisher.owner.withLock({ $0.waiting.count }) < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(publisher.owner.withLock { $0.waiting.count } == count)
    }

    /// The ids of the queued calls, in order.
    static func queued(_ publisher: AMQPPublisher) -> [String] {
        publisher.owner.withLock { state in state.queue.flatMap { $0.messages.map(\.messageID) } }
    }

    @Test func aQueuedCallIsWithdrawnAndAnsweredAtOnceWhenItsTaskIsCancelled() async throws {
        let publisher = Self.publisher()
        let kept = Task { try await publisher.publish([Self.message("kept")]) }
        try await Self.waitForCalls(publisher, count: 1)
        let cancelled = Task {
            try await publisher.publish([Self.message("cancelled-1"), Self.message("cancelled-2")])
        }
        try await Self.waitForCalls(publisher, count: 2)
        #expect(Self.queued(publisher) == ["kept", "cancelled-1", "cancelled-2"])

        let started = ContinuousClock.now
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(Self.queued(publisher) == ["kept"], "the cancelled call's messages are withdrawn")

        // The withdrawn call is not answered a second time (a double resume would trap).
        publisher.shutdown()
        let error = await #expect(throws: AMQPError.self) { try await kept.value }
        #expect(error?.code == .shutdown)
        #expect(publisher.owner.withLock { $0.waiting.isEmpty && $0.queue.isEmpty })
        await publisher.waitUntilStopped()
    }

    @Test func aCallFromAnAlreadyCancelledTaskQueuesNothing() async throws {
        let publisher = Self.publisher()
        let call = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await publisher.publish([Self.message("never")])
        }
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(publisher.owner.withLock { $0.waiting.isEmpty && $0.queue.isEmpty })
        publisher.shutdown()
    }

    @Test func aCallTakenByTheThreadIsAnsweredAtOnceAndItsLaterOutcomeIsIgnored() async throws {
        let publisher = Self.publisher()
        let call = Task { try await publisher.publish([Self.message("in-flight")]) }
        try await Self.waitForCalls(publisher, count: 1)
        // Take the call as the publishing thread does when it sends a round.
        let taken = publisher.owner.withLock { state in
            defer { state.queue.removeAll() }
            return state.queue
        }
        #expect(taken.map(\.messages) == [[Self.message("in-flight")]])

        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        // Its messages stay with the thread; the confirm that settles them later finds no one to answer.
        let answers = publisher.owner.withLock { $0.shared.answer(taken.map(\.id)) }
        #expect(answers.isEmpty)
        publisher.shutdown()
        await publisher.waitUntilStopped()
    }

    @Test func cancellingACallThatWasAnsweredDoesNothing() async throws {
        let publisher = Self.publisher()
        publisher.shutdown()
        let call = Task {
            let error = await #expect(throws: AMQPError.self) {
                try await publisher.publish([Self.message("late")])
            }
            #expect(error?.code == .shutdown)
            withUnsafeCurrentTask { $0?.cancel() }
        }
        await call.value
        #expect(publisher.owner.withLock { $0.waiting.isEmpty })
    }
}
