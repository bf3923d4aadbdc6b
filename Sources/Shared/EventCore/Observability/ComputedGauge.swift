/// A gauge read from elsewhere when rendered.
final class ComputedGauge: IntegerSample {
    private let read: @Sendable () -> Int

    init(read: @escaping @Sendable () -> Int) {
        self.read = read
    }

    var value: Int { read() }
}
