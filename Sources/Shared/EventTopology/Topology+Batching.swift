extension Topology.Queue {
    /// Rows per flush of a buffered sink when the topology does not say.
    public static let defaultBatchSize = 1000
    /// Milliseconds a buffered row may wait for its flush when the topology does not say.
    public static let defaultBatchAgeMilliseconds = 1000
    /// Bytes one consumer's batch holds at most when the topology does not say: 4 MiB.
    public static let defaultBatchBytes = 4 << 20
    /// Accepted `batchBytes` values: 64 KiB to 1 GiB.
    public static let batchBytesRange = (64 << 10)...(1 << 30)
    /// Accepted `batchSize` values.
    public static let batchSizeRange = 1...100_000
    /// Accepted `batchAge` values, in milliseconds.
    public static let batchAgeRange = 10...600_000

    /// The flush threshold in rows (`batchSize`, else the default).
    public var effectiveBatchSize: Int { batchSize ?? Self.defaultBatchSize }

    /// The byte cap of one consumer's batch (`batchBytes`, else the default).
    public var effectiveBatchBytes: Int { batchBytes ?? Self.defaultBatchBytes }

    /// The flush threshold in time (`batchAge`, else the default).
    public var effectiveBatchAge: Duration { .milliseconds(batchAge ?? Self.defaultBatchAgeMilliseconds) }

    /// The problem with the batch settings, with the key it concerns, or nil when they are usable.
    func batchProblem() -> (key: String, problem: String)? {
        switch sink {
        case .direct:
            if batchSize != nil { return ("batchSize", "is only for buffered sinks (this queue's sink is direct)") }
            if batchAge != nil { return ("batchAge", "is only for buffered sinks (this queue's sink is direct)") }
            if batchBytes != nil { return ("batchBytes", "is only for buffered sinks (this queue's sink is direct)") }
        case .buffered:
            if let batchSize, !Self.batchSizeRange.contains(batchSize) {
                return ("batchSize", "\(batchSize) rows is not between 1 and 100000")
            }
            if let batchAge, !Self.batchAgeRange.contains(batchAge) {
                return ("batchAge", "\(batchAge) ms is not between 10 and 600000")
            }
            if let batchBytes, !Self.batchBytesRange.contains(batchBytes) {
                return ("batchBytes", "\(batchBytes) bytes is not between 65536 and 1073741824")
            }
        }
        return nil
    }
}
