import ClickHouseClient
import EventCore
import SinkPipeline

/// Creates each target database and table (idempotent DDL) before consuming starts, retrying every second
/// while ClickHouse is unreachable, so a worker started before its database waits instead of crash-looping.
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
                logger.info("schema ready", ["clickhouse.tables": tables.map { "\($0)" }.joined(separator: ",")])
                return
            } catch {
                attempt += 1
                logger.warning(
                    "schema not created yet; retrying in 1 s",
                    ["attempt": String(attempt)].merging(.error(error)) { $1 }
                )
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}
