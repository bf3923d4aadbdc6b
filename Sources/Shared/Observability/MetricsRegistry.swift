import Synchronization

/// Counters and gauges rendered in the Prometheus text exposition format (version 0.0.4).
///
/// Names follow `eventgrpc_<subsystem>_<name>_<unit>`, counters end in `_total`; label sets must stay bounded
/// (status codes, queue names), never ids. Registering the same name and labels twice returns the same metric.
public final class MetricsRegistry: Sendable {
    private struct Family {
        var help: String
        var type: String
        var samples: [String: any MetricSample] = [:]
    }

    private let families = Mutex<[String: Family]>([:])

    public init() {}

    public func counter(_ name: String, help: String, labels: [String: String] = [:]) -> Counter {
        register(name, help: help, type: "counter", labels: labels) { Counter() }
    }

    public func gauge(_ name: String, help: String, labels: [String: String] = [:]) -> Gauge {
        register(name, help: help, type: "gauge", labels: labels) { Gauge() }
    }

    /// A gauge whose value is read from `read` at each scrape (for states that other components own).
    public func gauge(_ name: String, help: String, labels: [String: String] = [:], read: @escaping @Sendable () -> Int) {
        _ = register(name, help: help, type: "gauge", labels: labels) { ReadGauge(read: read) }
    }

    private func register<Metric: MetricSample>(
        _ name: String, help: String, type: String, labels: [String: String], make: () -> Metric
    ) -> Metric {
        let key = Self.labelText(labels)
        return families.withLock { families in
            var family = families[name] ?? Family(help: help, type: type)
            if let existing = family.samples[key] as? Metric { return existing }
            let metric = make()
            family.samples[key] = metric
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
            for labels in family.samples.keys.sorted() {
                text += "\(name)\(labels) \(family.samples[labels]?.value ?? 0)\n"
            }
        }
        return text
    }

    /// `{a="1",b="2"}` with keys sorted and values escaped (backslash, quote, newline); empty for no labels.
    static func labelText(_ labels: [String: String]) -> String {
        guard !labels.isEmpty else { return "" }
        let pairs = labels.keys.sorted().map { key in
            let value = (labels[key] ?? "").replacingBackslashQuoteNewline()
            return "\(key)=\"\(value)\""
        }
        return "{" + pairs.joined(separator: ",") + "}"
    }
}

protocol MetricSample: Sendable {
    var value: Int { get }
}

/// A monotonically increasing count.
public final class Counter: MetricSample {
    private let count = Atomic<Int>(0)

    public func increment(by amount: Int = 1) {
        count.wrappingAdd(amount, ordering: .relaxed)
    }

    public var value: Int { count.load(ordering: .relaxed) }
}

/// A gauge read at scrape time.
final class ReadGauge: MetricSample {
    private let read: @Sendable () -> Int

    init(read: @escaping @Sendable () -> Int) {
        self.read = read
    }

    var value: Int { read() }
}

/// A value that goes up and down.
public final class Gauge: MetricSample {
    private let current = Atomic<Int>(0)

    public func set(_ value: Int) {
        current.store(value, ordering: .relaxed)
    }

    public var value: Int { current.load(ordering: .relaxed) }
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
