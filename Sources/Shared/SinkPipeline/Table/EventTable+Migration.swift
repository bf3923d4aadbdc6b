public import ClickHouseClient

extension EventTable {
    /// What `ensureColumns` found and did to an existing table.
    public struct ColumnReport: Sendable, Equatable {
        /// Columns the table lacked and that were added, in table order.
        public var added: [String]
        /// Columns that exist with another type than the one this release writes: left alone (never retyped),
        /// reported so that an operator can look (an insert may then fail and take the retry path).
        public var mismatched: [Mismatch]

        public struct Mismatch: Sendable, Equatable {
            public var column: String
            public var expected: String
            public var found: String

            public init(column: String, expected: String, found: String) {
                self.column = column
                self.expected = expected
                self.found = found
            }
        }
    }

    /// Adds the columns an existing table lacks, so that a table created by an earlier release (or pre-created by
    /// an operator with another engine, sort key or TTL) takes this release's rows. Never drops or retypes a
    /// column. Reads the columns with `DESCRIBE TABLE`, then sends one `ALTER TABLE ... ADD COLUMN ..., ADD
    /// COLUMN ...` for the missing ones (ClickHouse 18.16 has no `ADD COLUMN IF NOT EXISTS`). Two workers that
    /// race may both try to add a column: the loser's ALTER fails and is to be retried, when `DESCRIBE` shows the
    /// column present.
    public static func ensureColumns(
        of table: QualifiedTable,
        using connection: ClickHouseConnection
    ) throws(ClickHouseError) -> ColumnReport {
        let described = try connection.execute("DESCRIBE TABLE \(table) FORMAT TSV")
        let existing = describedColumns(String(decoding: described, as: UTF8.self))
        let report = report(existing: existing)
        if let statement = addColumnsStatement(for: table, adding: report.added) {
            try connection.execute(statement)
        }
        return report
    }

    /// Name and type of each column in `DESCRIBE TABLE ... FORMAT TSV` output (name, type, then columns that
    /// differ between releases).
    static func describedColumns(_ tsv: String) -> [(name: String, type: String)] {
        tsv.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2 else { return nil }
            return (String(fields[0]), String(fields[1]))
        }
    }

    /// The columns this release writes that `existing` lacks, and those present with another type.
    static func report(existing: [(name: String, type: String)]) -> ColumnReport {
        var types: [String: String] = [:]
        for column in existing { types[column.name] = column.type }
        var report = ColumnReport(added: [], mismatched: [])
        for definition in definitions {
            guard let found = types[definition.name] else {
                report.added.append(definition.name)
                continue
            }
            if found != definition.type {
                report.mismatched.append(.init(column: definition.name, expected: definition.type, found: found))
            }
        }
        return report
    }

    /// `ALTER TABLE db.t ADD COLUMN a String, ADD COLUMN b Int64` for `columns` (names from `definitions`, in
    /// table order); nil when there is nothing to add.
    static func addColumnsStatement(for table: QualifiedTable, adding columns: [String]) -> String? {
        let wanted = Set(columns)
        let clauses = definitions.filter { wanted.contains($0.name) }.map { "ADD COLUMN \($0.name) \($0.type)" }
        guard !clauses.isEmpty else { return nil }
        return "ALTER TABLE \(table) " + clauses.joined(separator: ", ")
    }
}
