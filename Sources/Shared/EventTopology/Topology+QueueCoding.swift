extension Topology.Queue {
    enum CodingKeys: String, CodingKey {
        case name, bindings, consumers, prefetch, sink, table, batchSize, batchAge, batchBytes, retry
    }

    /// Decodes a queue entry; `batchSize`, `batchAge`, `batchBytes` and `retry` are optional (defaults apply), so topology files
    /// written before they existed keep working.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try container.decode(String.self, forKey: .name),
            bindings: try container.decode([String].self, forKey: .bindings),
            consumers: try container.decode(Int.self, forKey: .consumers),
            prefetch: try container.decode(Int.self, forKey: .prefetch),
            sink: try container.decode(Topology.Sink.self, forKey: .sink),
            table: try container.decode(String.self, forKey: .table),
            batchSize: try container.decodeIfPresent(Int.self, forKey: .batchSize),
            batchAge: try container.decodeIfPresent(Int.self, forKey: .batchAge),
            batchBytes: try container.decodeIfPresent(Int.self, forKey: .batchBytes),
            retry: try container.decodeIfPresent(RetryPolicy.self, forKey: .retry) ?? .default
        )
    }
}
