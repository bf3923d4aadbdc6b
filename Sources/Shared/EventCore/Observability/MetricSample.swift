/// A registered metric: renders its sample lines.
protocol MetricSample: Sendable {
    /// The metric's sample lines, each ending in a newline.
    func render(name: String, labels: [String: String]) -> String
}

/// A metric whose one sample is an integer.
protocol IntegerSample: MetricSample {
    var value: Int { get }
}

extension IntegerSample {
    func render(name: String, labels: [String: String]) -> String {
        "\(name)\(MetricsRegistry.labelText(labels)) \(value)\n"
    }
}
