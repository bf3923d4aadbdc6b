public import ClickHouseClient

/// The events table: its columns and the idempotent statements that create it.
///
/// Valid on ClickHouse 18.16 and current releases: `DateTime` (not `DateTime64`), `UInt8` flags, no
/// `LowCardinality`/`Map`/`JSON`/`TTL`/`CODEC`. `ReplacingMergeTree` ordered by `event_id` collapses redelivered
/// events when parts merge (`FINAL` collapses them at read time). `DateTime` columns accept unix seconds as JSON
/// numbers in JSONEachRow rows.
///
/// Every field a client sends has a column: the event's fields, all 20 header fields (the header's `currentURL`
/// as `header_current_url`; `current_url` is the event's page, else the header's), and three times: the event's
/// (`timestamp`, corrected, with the client's original in `original_timestamp_ms`), the gateway's receive time
/// (`received_at`, `received_at_ms`) and the worker's write time (`written_at`). Columns added after the first
/// release come last, so a table that `EventTable+Migration.swift` completed has the same column order as a new
/// one.
public enum EventTable {
    /// Column names and types, in table order.
    static let definitions: [(name: String, type: String)] = [
        ("event_id", "String"),
        ("event_type", "String"),
        ("timestamp", "DateTime"),
        ("timestamp_ms", "Int64"),
        ("original_timestamp_ms", "Int64"),
        ("timestamp_corrected", "UInt8"),
        ("received_at", "DateTime"),
        ("session_id", "String"),
        ("device_id", "String"),
        ("bb_device_id", "Int64"),
        ("user_id", "Int64"),
        ("client_id", "String"),
        ("client_type", "String"),
        ("channel", "String"),
        ("os", "String"),
        ("app_version", "String"),
        ("app_language", "String"),
        ("current_url", "String"),
        ("utm_source", "String"),
        ("utm_medium", "String"),
        ("utm_campaign", "String"),
        ("attributes", "String"),
        ("experiment_ids", "Array(Int64)"),
        ("message_id", "String"),
        // Added in the second release: the header fields the first one dropped, and the times.
        ("android_advertising_id", "String"),
        ("app_version_code", "String"),
        ("header_current_url", "String"),
        ("merchant_id", "String"),
        ("utm_referrer", "String"),
        ("utm_platform", "String"),
        ("pp_id", "String"),
        ("received_at_ms", "Int64"),
        ("written_at", "DateTime"),
    ]

    /// The column names in table order, for `ClickHouseConnection.insert(into:columns:jsonEachRow:)`.
    public static let columns: [ClickHouseIdentifier] = definitions.map { definition in
        do {
            return try ClickHouseIdentifier(definition.name)
        } catch {
            preconditionFailure("EventTable column \(definition.name) is not a valid identifier: \(error)")
        }
    }

    /// `CREATE DATABASE IF NOT EXISTS` and `CREATE TABLE IF NOT EXISTS`, to run in order; running them again
    /// changes nothing.
    public static func createStatements(for table: QualifiedTable) -> [String] {
        let columnList = definitions.map { "    \($0.name) \($0.type)" }.joined(separator: ",\n")
        return [
            "CREATE DATABASE IF NOT EXISTS \(table.database)",
            """
            CREATE TABLE IF NOT EXISTS \(table) (
            \(columnList)
            ) ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(timestamp) ORDER BY event_id
            """,
        ]
    }
}
