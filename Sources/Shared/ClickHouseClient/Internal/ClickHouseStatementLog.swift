import Foundation

/// Appends every request a connection sends as one JSON line to a file (`ClickHouseConfiguration.statementLog`):
/// `{"path": "/", "parameters": [["database", "default"], ...], "body": "..."}`. The parameters are the URL
/// settings the request carries (for an insert: the INSERT statement in `query` and its settings); the body is the
/// statement, or the JSONEachRow rows of an insert. For replaying against another ClickHouse
/// (`interop/tests/test_current_clickhouse.py`).
///
/// Each line goes out in one `write(2)` on a descriptor opened with `O_APPEND`, so the lines of several
/// connections (consumers of one worker, each with its own descriptor) do not interleave.
final class ClickHouseStatementLog {
    private let descriptor: Int32

    /// Opens (creating it, mode 0600: it holds event data) `path` for appending.
    init(path: String) throws(ClickHouseError) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ClickHouseError(
                code: .invalidConfiguration,
                message: "Cannot open the statement log \(path) for appending (errno \(errno)): give "
                    + "CLICKHOUSE_STATEMENT_LOG a writable path, or unset it."
            )
        }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Records `request`. A log that cannot be written is a debugging aid lost, never a failed request: the
    /// short write is reported on standard error.
    func record(_ request: ClickHouseRequest) {
        let line: [String: Any] = [
            "path": request.path,
            "parameters": request.parameters.map { [$0.name, $0.value] },
            "body": String(decoding: request.body, as: UTF8.self),
        ]
        guard var data = try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) else {
            preconditionFailure("a dictionary of strings always serializes to JSON")
        }
        data.append(UInt8(ascii: "\n"))
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written != data.count {
            FileHandle.standardError.write(Data("clickhouse statement log: short write (errno \(errno))\n".utf8))
        }
    }
}
