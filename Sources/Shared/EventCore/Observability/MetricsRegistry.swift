import Synchronization

/// Counters, gauges and histograms rendered in the Prometheus text exposition format (version 0.0.4).
///
/// Names follow `eventgrpc_<subsystem>_<name>_<unit>`, counters end in `_total`; label sets must stay bounded
/// (status codes, queue names), never ids. Registering the same name and labels twice returns the same metric.
public final class MetricsRegistry: Sendable {
    private struct Family {
        var help: String
        var type: String
        /// Keyed by the rendered label text, which also orders them.
        var samples: [String: (labels: [String: String], metric: any MetricSample)] = [:]
    }

    private let families = Mutex<[String: Family]>([:])

    public init() {}

    public func counter(_ name: String, help: String, labels: [String: String] = [:]) -> Counter {
        register(name, help: help, type: "counter", labels: labels) { Counter() }
    }

    public func gauge(_ name: String, help: String, labels: [String: String] = [:]) -> Gauge {
        register(name, help: help, type: "gauge", labels: labels) { Gauge() }
    }

    /// A gauge whose value `read` computes each time the registry renders (for example connected consumers).
    public func gauge(
        _ name: String,
        help: String,
        labels: [String: String] = [:],
        read: @escaping @Sendable () -> Int
    ) {
        _ = register(name, help: help, type: "gauge", labels: labels) { ComputedGauge(read: read) }
    }

    /// A gauge whose floating-point value `read` computes at each rendering (nil: no sample this time).
    public func computedGauge(
        _ name: String,
        help: String,
        labels: [String: String] = [:],
        read: @escaping @Sendable () -> Double?
    ) {
        _ = register(name, help: help, type: "gauge", labels: labels) { ComputedValue(read: read) }
    }

    /// A counter kept elsewhere (a process's CPU time, an atomic in another type), read at each rendering.
    public func computedCounter(
        _ name: String,
        help: String,
        labels: [String: String] = [:],
        read: @escaping @Sendable () -> Double?
    ) {
        _ = register(name, help: help, type: "counter", labels: labels) { ComputedValue(read: read) }
    }

    /// A histogram with cumulative `buckets` (upper bounds, ascending; `+Inf` is implied).
    public func histogram(
        _ name: String,
        help: String,
        labels: [String: String] = [:],
        buckets: [Double]
    ) -> Histogram {
        register(name, help: help, type: "histogram", labels: labels) { Histogram(buckets: buckets) }
    }

    private func register<Metric: MetricSample>(
        _ name: String,
        help: String,
        type: String,
        labels: [String: String],
        make: () -> Metric
    ) -> Metric {
        let key = Self.labelText(labels)
        return families.withLock { families in
            var family = families[name] ?? Family(help: help, type: type)
            if let existing = family.samples[key]?.metric as? Metric { return existing }
            let metric = make()
            family.samples[key] = (labels, metric)
            families[name] = family
            return metric
        }
    }

    /// The whole registry as Prometheus text: one HELP and TYPE per family, samples sorted by labels.
    public func render() -> String {
        let snapshot = families.withLock { $0 }
        var text = ""
        for name in snapshot.keys.sorted() {
            guard let family = snapshot[name] else { continue }
            text += "# HELP \(name) \(family.help)\n# TYPE \(name) \(family.type)\n"
            for key in family.samples.keys.sorted() {
                guard let sample = family.samples[key] else { continue }
                text += sample.metric.render(name: name, labels: sample.labels)
            }
        }
        return text
    }

    /// `{a="1",b="2"}` with keys sorted and values escaped (backslash, quote, newline); empty for no labels.
    /// `last`, when given, comes after the sorted labels (a histogram's `le`).
    static func labelText(_ labels: [String: String], last: (key: String, value: String)? = nil) -> String {
        var pairs = labels.keys.sorted().map { key in
            "\(key)=\"\((labels[key] ?? "").replacingBackslashQuoteNewline())\""
        }
        if let last { pairs.append("\(last.key)=\"\(last.value)\"") }
        guard !pairs.isEmpty else { return "" }
        return "{" + pairs.joined(separator: ",") + "}"
    }
}

extension String {
    func replacingBackslashQuoteNewline() -> String {
        var escaped = ""
        for character in self {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
