public import ClickHouseClient
import EventCore
import Foundation

/// Where a sink sends its rows; `TableWriter` in production, a fake in unit tests.
public protocol RowWriter {
    /// Inserts `rows` (JSONEachRow, `rowCount` lines) in one request; throws when they were not written.
    func insert(_ rows: [UInt8], rowCount: Int) throws
    /// Closes any kept-alive connection (the next insert opens a new one).
    func disconnect()
}

extension RowWriter {
    public func disconnect() {}
}

/// One consumer's inserts into one table: times each, counts rows and failures, and tells the queue's circuit
/// breaker about every outcome. Not `Sendable`: it owns a `ClickHouseConnection`, used by one consumer thread.
public final class TableWriter: RowWriter {
    public let table: QualifiedTable
    public let breaker: CircuitBreaker
    private var connection: ClickHouseConnection
    private let metrics: QueueMetrics

    public init(
        connection: ClickHouseConnection,
        table: QualifiedTable,
        breaker: CircuitBreaker,
        metrics: QueueMetrics
    ) {
        self.connection = connection
        self.table = table
        self.breaker = breaker
        self.metrics = metrics
    }

    /// Inserts the rows; throws `SinkError` (`insertRefused` or `unreachable`).
    public func insert(_ rows: [UInt8], rowCount: Int) throws(SinkError) {
        let started = ContinuousClock.now
        do {
            try connection.insert(into: table, columns: EventTable.columns, jsonEachRow: rows)
        } catch {
            metrics.insertSeconds.observe(ContinuousClock.now - started)
            metrics.insertFailures.increment()
            breaker.recordFailure()
            throw SinkError(inserting: table, error)
        }
        metrics.insertSeconds.observe(ContinuousClock.now - started)
        metrics.batchRows.observe(Double(rowCount))
        metrics.rowsWritten.increment(by: rowCount)
        metrics.lastInsert.set(Int(Date().timeIntervalSince1970))
        breaker.recordSuccess()
    }

    /// Replaces the connection with a new, unconnected one. A paused consumer calls this so that it holds no
    /// idle kept-alive connection, which would keep a ClickHouse server that is shutting down waiting for it.
    public func disconnect() {
        do {
            connection = try ClickHouseConnection(configuration: connection.configuration, logger: connection.logger)
        } catch {
            connection.logger.error("could not replace the ClickHouse connection; keeping the old one", .error(error))
        }
    }
}

@available(*, unavailable, message: "A TableWriter is used by the one consumer thread that owns its connection")
extension TableWriter: Sendable {}
