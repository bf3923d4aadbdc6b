import Foundation
import Synchronization
import TestSupport
import Testing

@testable import EventCore

/// A service that runs until asked to stop, recording the order of shutdowns.
final class RecordingService: Service {
    let name: String
    private let journal: Journal?
    private let stopped = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let stopRequested = Mutex(false)
    let ignoresShutdown: Bool
    let failure: (any Error)?

    init(_ name: String, journal: Journal? = nil, ignoresShutdown: Bool = false, failure: (any Error)? = nil) {
        self.name = name
        self.journal = journal
        self.ignoresShutdown = ignoresShutdown
        self.failure = failure
    }

    /// Returns after `shutdown()` (unless it ignores it) or when its task is cancelled, as a service waiting on a
    /// thread of its own does.
    func run() async throws {
        if let failure { throw failure }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let already = stopRequested.withLock { requested in
                    if !requested && !Task.isCancelled { stopped.withLock { $0 = continuation } }
                    return requested || Task.isCancelled
                }
                if already { continuation.resume() }
            }
        } onCancel: {
            wake()
        }
    }

    private func wake() {
        let continuation = stopped.withLock { current in
            defer { current = nil }
            return current
        }
        continuation?.resume()
    }

    func shutdown() {
        journal?.append(name)
        guard !ignoresShutdown else { return }
        stopRequested.withLock { $0 = true }
        wake()
    }
}

struct Boom: Error {}

@Suite struct ServiceGroupTests {
    let logger = Logger(label: "test", minimumLevel: .critical)

    @Test func signalStopsServicesInReverseOrder() async throws {
        let journal = Journal()
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        let group = ServiceGroup(
            services: [RecordingService("first", journal: journal), RecordingService("second", journal: journal)],
            drainTimeout: .seconds(5),
            logger: logger
        )
        continuation.yield(SIGTERM)
        try await group.run(signals: signals)
        #expect(journal.all == ["second", "first"])
    }

    @Test func aFailingServiceStopsTheOthersAndItsErrorIsThrown() async {
        let journal = Journal()
        let (signals, _) = AsyncStream.makeStream(of: Int32.self)
        let group = ServiceGroup(
            services: [RecordingService("steady", journal: journal), RecordingService("broken", failure: Boom())],
            drainTimeout: .seconds(5),
            logger: logger
        )
        do {
            try await group.run(signals: signals)
            Issue.record("the group should have thrown the failing service's error")
        } catch {
            #expect(error is Boom)
        }
        #expect(journal.all == ["steady"])
    }

    @Test func aServiceThatIgnoresShutdownIsCancelledAtTheDeadline() async {
        let journal = Journal()
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        let group = ServiceGroup(
            services: [
                RecordingService("first", journal: journal), RecordingService("stubborn", ignoresShutdown: true),
            ],
            drainTimeout: .milliseconds(200),
            logger: logger
        )
        continuation.yield(SIGTERM)
        let started = ContinuousClock.now
        await #expect(throws: ServiceGroupError.self) { try await group.run(signals: signals) }
        #expect(ContinuousClock.now - started < .seconds(20), "cancelled services must let the group return")
        #expect(journal.all.isEmpty, "the drain stopped at the stubborn service and never reached the first")
    }

    @Test func aSecondSignalCutsTheDrainShort() async {
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        let group = ServiceGroup(
            services: [RecordingService("stubborn", ignoresShutdown: true)],
            drainTimeout: .seconds(3600),
            logger: logger
        )
        continuation.yield(SIGTERM)
        continuation.yield(SIGINT)
        let error = await #expect(throws: ServiceGroupError.self) { try await group.run(signals: signals) }
        #expect(error?.message.contains("second signal") == true)
    }
}
