import Testing

@testable import EventCore

@Suite struct ReadinessChangesTests {
    @Test func observerSeesTheCurrentValueThenEachChange() async {
        let readiness = Readiness()
        var iterator = readiness.changes().makeAsyncIterator()
        #expect(await iterator.next() == true)
        readiness.set(true)  // not a change: nothing is sent
        readiness.set(false)
        #expect(await iterator.next() == false)
        #expect(!readiness.isReady)
        readiness.set(true)
        #expect(await iterator.next() == true)
    }

    @Test func lateObserverStartsFromTheCurrentValue() async {
        let readiness = Readiness()
        readiness.set(false)
        var iterator = readiness.changes().makeAsyncIterator()
        #expect(await iterator.next() == false)
    }

    @Test func everyObserverIsTold() async {
        let readiness = Readiness()
        var first = readiness.changes().makeAsyncIterator()
        var second = readiness.changes().makeAsyncIterator()
        readiness.set(false)
        #expect(await first.next() == false, "a slow observer skips to the newest value")
        #expect(await second.next() == false)
    }
}
