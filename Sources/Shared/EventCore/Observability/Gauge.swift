import Synchronization

/// A value that goes up and down.
public final class Gauge: IntegerSample {
    private let current = Atomic<Int>(0)

    public func set(_ value: Int) {
        current.store(value, ordering: .relaxed)
    }

    public var value: Int { current.load(ordering: .relaxed) }
}
