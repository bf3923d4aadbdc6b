extension Topology.Queue {
    /// Rows per flush of a buffered sink when the topology does not say.
    public static let defaultBatchSize = 1000
    /// Milliseconds a buffered row may wait for its flush when the topology does not say.
    public static let defaultBatchAgeMilliseconds = 1000
    /// Accepted `batchSize` values.
    public static let batchSizeRange = 1...100_000
    /// Accepted `batchAge` values, in milliseconds.
    public static let batchAgeRange = 10...600_000

    /// The flush threshold in rows (`batchSize`, else the default).
    public var effectiveBatchSize: Int { batchSize ?? Self.defaultBatchSize }

    /// The flush threshold in time (`batchAge`, else the default).
    public var effectiveBatchAge: Duration { .milliseconds(batchAge ?? Self.defaultBatchAgeMilliseconds) }

    /// The problem with the batch settings, with the key it concerns, or nil when they are usable.
    func batchProblem() -> (key: String, problem: String)? {
        switch sink {
        case .direct:
            if batchSize != nil { return ("batchSize", "is only for buffered sinks (this queue's sink is direct)") }
            if batchAge != nil { return ("batchAge", "is only for buffered sinks (this queue's sink is direct)") }
        case .buffered:
            if let batchSize, !Self.batchSizeRange.contains(batchSize) {
                return ("batchSize", "\(batchSize) rows is not between 1 and 100000")
            }
            if let batchAge, !Self.batchAgeRange.contains(batchAge) {
                return ("batchAge", "\(batchAge) ms is not between 10 and 600000")
            }
        }
        return nil
    }
}
