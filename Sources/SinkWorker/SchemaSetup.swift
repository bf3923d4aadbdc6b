import ClickHouseClient
import EventCore
import SinkPipeline

/// Creates each target database and table (idempotent DDL) and adds the columns an existing table lacks
/// (`EventTable.ensureColumns`) before consuming starts, retrying every second while ClickHouse is unreachable, so
/// a worker started before its database waits instead of crash-looping.
enum SchemaSetup {
    static func ensureTables(
        _ tables: [QualifiedTable],
        configuration: ClickHouseConfiguration,
        logger: Logger
    ) async throws {
        let statements = tables.flatMap { EventTable.createStatements(for: $0) }
        let connection = try ClickHouseConnection(configuration: configuration, logger: logger)
        var attempt = 0
        while true {
            do {
                for statement in statements { try connection.execute(statement) }
                for table in tables {
                    report(try EventTable.ensureColumns(of: table, using: connection), table: table, logger: logger)
                }
                logger.info("schema ready", ["clickhouse.tables": "\(tables.map { "\($0)" }.joined(separator: ","))"])
                return
            } catch {
                attempt += 1
                logger.warning(
                    "schema not created yet; retrying in 1 s",
                    ["attempt": .int(attempt)].merging(.error(error)) { $1 }
                )
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    private static func report(_ report: EventTable.ColumnReport, table: QualifiedTable, logger: Logger) {
        if !report.added.isEmpty {
            logger.notice(
                "columns added to an existing table",
                ["clickhouse.table": "\(table)", "columns": "\(report.added.joined(separator: ","))"]
            )
        }
        for mismatch in report.mismatched {
            logger.warning(
                "a column has another type than this release writes; left as it is",
                [
                    "clickhouse.table": "\(table)", "column": "\(mismatch.column)",
                    "type.expected": "\(mismatch.expected)", "type.found": "\(mismatch.found)",
                ]
            )
        }
    }
}
