import Testing

@testable import SinkPipeline

/// The bisection alone: which messages it finds, what it writes, and how many inserts it costs.
@Suite struct PoisonSearchTests {
    static let refusal = SinkError(.insertRefused, "Code: 395, throwIf")

    /// Runs a search over `count` messages where those in `poison` are refused; checks that every message is
    /// either written once or found, and returns the findings and the number of inserts.
    static func search(_ count: Int, poison: Set<Int>) -> (found: [Int], inserts: Int) {
        var writtenTwice = false
        var written = Set<Int>()
        let search = PoisonSearch(count: count, refusal: refusal) { range in
            guard poison.isDisjoint(with: range) else { return .refused(SinkError(.insertRefused, "\(range)")) }
            writtenTwice = writtenTwice || !written.isDisjoint(with: range)
            written.formUnion(range)
            return .written
        }
        let found = search.refused.map(\.index).sorted()
        #expect(!writtenTwice, "a message was written twice")
        #expect(Set(search.written.flatMap { Array($0) }) == written)
        #expect(written.union(found) == Set(0..<count) && written.isDisjoint(with: found))
        #expect(search.untried.isEmpty && search.interruption == nil)
        return (found, search.inserts)
    }

    @Test(arguments: [
        (2, [0], 2), (2, [1], 1), (8, [7], 3), (8, [0], 6), (8, [3], 4), (10, [7], 4), (100, [99], 7), (100, [0], 12),
        (1, [0], 0), (8, [0, 1, 2, 3, 4, 5, 6, 7], 14), (8, [2, 5], 8),
    ])
    func findsExactlyTheRefusedMessagesAtAKnownCost(count: Int, poison: [Int], inserts: Int) {
        let result = Self.search(count, poison: Set(poison))
        #expect(result.found == poison)
        #expect(result.inserts == inserts)
    }

    @Test(arguments: [1, 2, 3, 7, 64, 100, 1000])
    func oneRefusedMessageCostsAtMostTwiceLog2OfTheBatch(count: Int) {
        let bound = 2 * (Int.bitWidth - (count - 1).leadingZeroBitCount)
        for position in 0..<count {
            let result = Self.search(count, poison: [position])
            #expect(result.found == [position])
            #expect(result.inserts <= bound, "message \(position) of \(count): \(result.inserts) inserts")
        }
    }

    @Test func theRefusalOfTheSmallestRunIsTheOneReported() {
        let search = PoisonSearch(count: 4, refusal: Self.refusal) { range in
            range.contains(2) ? .refused(SinkError(.insertRefused, "run \(range)")) : .written
        }
        #expect(search.refused.map(\.index) == [2])
        #expect(search.refused.first?.error.message == "run 2..<3")
    }

    @Test func anOutageStopsTheSearchAndKeepsWhatIsNotSettled() {
        struct Down: Error {}
        var calls = 0
        let search = PoisonSearch(count: 8, refusal: Self.refusal) { range in
            calls += 1
            if calls == 3 { return .interrupted(Down()) }
            return range.contains(5) ? .refused(SinkError(.insertRefused, "bad")) : .written
        }
        // [0,4) written, [4,6) refused, then the outage on [4,5): [4,5), [5,6) and [6,8) stay unsettled.
        #expect(search.written == [0..<4])
        #expect(search.refused.isEmpty)
        #expect(search.untried.flatMap { Array($0) }.sorted() == [4, 5, 6, 7])
        #expect(search.interruption is Down)
        #expect(search.inserts == 3)
    }
}
