import TestSupport
import Testing

@testable import IngestPipeline

@Suite struct AdmissionGateTests {
    @Test func admitsUpToTheLimitThenRefusesWithPushback() async throws {
        let gate = AdmissionGate(limit: 2, timeout: .milliseconds(20))
        try await gate.enter()
        try await gate.enter()
        #expect(gate.inUse == 2)
        do {
            try await gate.enter()
            Issue.record("a full gate must refuse after its timeout")
        } catch let error as IngestError {
            #expect(error.code == .overloaded)
            #expect(error.retryAfter == .milliseconds(20))
        }
        gate.leave()
        try await gate.enter()
        #expect(gate.inUse == 2)
        gate.leave()
        gate.leave()
        #expect(gate.inUse == 0)
    }

    @Test func aLeavingCallLetsTheWaiterIn() async throws {
        let gate = AdmissionGate(limit: 1, timeout: .seconds(30))
        try await gate.enter()
        let waiting = Task { try await gate.enter() }
        gate.leave()  // hands the slot to the waiter if it is queued already, else frees it for the waiter
        try await waiting.value
        #expect(gate.inUse == 1)
        gate.leave()
        #expect(gate.inUse == 0)
    }

    @Test func manyCallersNeverExceedTheLimit() async throws {
        let gate = AdmissionGate(limit: 3, maxWaiting: 50, timeout: .seconds(30))
        let peak = Journal()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await gate.enter()
                    peak.append(String(gate.inUse))
                    await Task.yield()
                    gate.leave()
                }
            }
            try await group.waitForAll()
        }
        #expect(peak.all.compactMap(Int.init).allSatisfy { $0 <= 3 })
        #expect(gate.inUse == 0)
    }
}

@Suite struct AdmissionGateLineTests {
    @Test(arguments: [0, 1, 3])
    func aFullLineRefusesAtOnceAndOnHeaders(maxWaiting: Int) async throws {
        let gate = AdmissionGate(limit: 1, maxWaiting: maxWaiting, timeout: .seconds(30))
        try await gate.enter()
        var waiting: [Task<Void, any Error>] = []
        for count in 1...max(1, maxWaiting) where count <= maxWaiting {
            #expect(gate.refusal() == nil)
            let started = gate.waiting
            waiting.append(Task { try await gate.enter() })
            while gate.waiting == started { await Task.yield() }
            #expect(gate.waiting == count)
        }
        let refusal = try #require(gate.refusal())
        #expect(refusal.code == .overloaded)
        #expect(refusal.retryAfter == .seconds(30))
        // Refused at once, not after waiting out its timeout (which would leave `DeadlineExceeded` as the cause).
        let refused = await #expect(throws: IngestError.self) { try await gate.enter() }
        #expect(refused?.code == .overloaded)
        #expect(refused?.cause == nil, "a full line refuses at once, not after the timeout")
        for task in waiting {
            gate.leave()
            try await task.value
        }
        gate.leave()
        #expect(gate.inUse == 0)
        #expect(gate.refusal() == nil)
    }
}

@Suite struct AdmissionGateCancellationTests {
    @Test func aCancelledWaiterLeavesTheLineAndTakesNoSlot() async throws {
        let gate = AdmissionGate(limit: 1, timeout: .seconds(30))
        try await gate.enter()
        let waiting = Task { try await gate.enter() }
        try await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        gate.leave()
        #expect(gate.inUse == 0)
    }
}
