/// A sample read from elsewhere each time the registry renders, as a floating-point number (seconds, bytes read
/// from `/proc`); nothing is rendered while the reading is unavailable.
final class ComputedValue: MetricSample {
    private let read: @Sendable () -> Double?

    init(read: @escaping @Sendable () -> Double?) {
        self.read = read
    }

    func render(name: String, labels: [String: String]) -> String {
        guard let value = read(), !value.isNaN else { return "" }
        let text = value.isInfinite ? (value > 0 ? "+Inf" : "-Inf") : Histogram.format(value)
        return "\(name)\(MetricsRegistry.labelText(labels)) \(text)\n"
    }
}
