import Synchronization

/// A monotonically increasing count.
public final class Counter: IntegerSample {
    private let count = Atomic<Int>(0)

    public func increment(by amount: Int = 1) {
        count.wrappingAdd(amount, ordering: .relaxed)
    }

    public var value: Int { count.load(ordering: .relaxed) }
}
