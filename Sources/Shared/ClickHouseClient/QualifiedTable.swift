/// A table named by its database: `database.table`.
public struct QualifiedTable: Hashable, Sendable, CustomStringConvertible {
    public var database: ClickHouseIdentifier
    public var table: ClickHouseIdentifier

    public init(database: ClickHouseIdentifier, table: ClickHouseIdentifier) {
        self.database = database
        self.table = table
    }

    /// Parses `database.table`; throws `invalidIdentifier` unless both parts are plain identifiers.
    public init(parsing text: String) throws(ClickHouseError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw ClickHouseError(
                code: .invalidIdentifier,
                message: "Name the ClickHouse table as `database.table` (got \(parts.count) dot-separated parts)."
            )
        }
        self.init(
            database: try ClickHouseIdentifier(String(parts[0])),
            table: try ClickHouseIdentifier(String(parts[1]))
        )
    }

    /// `database.table`, ready for a statement.
    public var description: String { "\(database).\(table)" }
}
