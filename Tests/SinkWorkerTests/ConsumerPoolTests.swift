import EventCore
import Testing

@testable import SinkWorker

@Suite struct ConsumerPoolTests {
    struct SchemaFailed: Error {}

    @Test func aStopEndsTheWaitForTheSchemaAtOnce() async throws {
        let readiness = Readiness()
        let pool = ConsumerPool(consumers: [], readiness: readiness) {
            try await Task.sleep(for: .seconds(60))
        }
        let started = ContinuousClock.now
        async let run: Void = pool.run()
        try await Task.sleep(for: .milliseconds(50))
        pool.shutdown()
        try await run
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(!readiness.isSwitchedOn)
    }

    @Test func aFailingPreparationEndsTheRunWithItsError() async {
        let pool = ConsumerPool(consumers: [], readiness: Readiness()) { throw SchemaFailed() }
        await #expect(throws: SchemaFailed.self) { try await pool.run() }
    }

    @Test func consumingStartsOnceThePreparationIsDone() async throws {
        let pool = ConsumerPool(consumers: [], readiness: Readiness()) {}
        try await pool.run()
    }
}
