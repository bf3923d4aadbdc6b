import Testing

@testable import HTTP2Server

@Suite struct RequestBufferBudgetTests {
    @Test(arguments: [
        (limit: 100, takes: [60, 40], refused: 1), (limit: 100, takes: [101, 100], refused: 1),
        (limit: 10, takes: [0, 10], refused: 1),
    ])
    func refusesWhatDoesNotFit(limit: Int, takes: [Int], refused: Int) {
        let budget = RequestBufferBudget(limit: limit)
        for bytes in takes { #expect(budget.reserve(bytes) == (bytes <= limit)) }
        #expect(!budget.reserve(refused))
        #expect(budget.inUse == takes.filter { $0 <= limit }.reduce(0, +))
    }

    @Test func releasedBytesCanBeTakenAgain() {
        let budget = RequestBufferBudget(limit: 100)
        #expect(budget.reserve(100))
        #expect(!budget.reserve(1))
        budget.release(30)
        #expect(budget.inUse == 70)
        #expect(budget.reserve(30))
        #expect(!budget.reserve(1))
    }

    @Test func concurrentReservationsNeverPassTheLimit() async {
        let budget = RequestBufferBudget(limit: 1000)
        let granted = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<64 {
                group.addTask { (0..<100).reduce(0) { sum, _ in sum + (budget.reserve(7) ? 7 : 0) } }
            }
            return await group.reduce(0, +)
        }
        #expect(granted <= 1000)
        #expect(granted == budget.inUse)
    }
}
