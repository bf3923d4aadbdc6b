import Foundation

/// Where a sink sends its rows; `TableWriter` in production, a fake in unit tests.
public protocol RowWriter {
    /// Inserts `rows` (JSONEachRow, `rowCount` lines) in one request; throws when they were not written.
    func insert(_ rows: [UInt8], rowCount: Int) throws
}

/// One consumer's inserts into one table: times each, counts rows and failures, and tells the queue's circuit
/// breaker about every outcome. Not `Sendable`: it owns a `ClickHouseConnection`, used by one consumer thread.
public final class TableWriter: RowWriter {
    public let table: QualifiedTable
    public let breaker: CircuitBreaker
    private let connection: ClickHouseConnection
    private let metrics: QueueMetrics

    public init(connection: ClickHouseConnection, table: QualifiedTable, breaker: CircuitBreaker, metrics: QueueMetrics) {
        self.connection = connection
        self.table = table
        self.breaker = breaker
        self.metrics = metrics
    }

    public func insert(_ rows: [UInt8], rowCount: Int) throws {
        let started = ContinuousClock.now
        do {
            try connection.insert(into: table, columns: EventTable.columns, jsonEachRow: rows)
        } catch {
            metrics.insertSeconds.observe(ContinuousClock.now - started)
            metrics.insertFailures.increment()
            breaker.recordFailure()
            throw error
        }
        metrics.insertSeconds.observe(ContinuousClock.now - started)
        metrics.batchRows.observe(Double(rowCount))
        metrics.rowsWritten.increment(by: rowCount)
        breaker.recordSuccess()
    }
}

@available(*, unavailable, message: "A TableWriter is used by the one consumer thread that owns its connection")
extension TableWriter: Sendable {}
