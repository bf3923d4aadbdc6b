import ClickHouseClient

/// Why the sink pipeline could not write a delivery's rows. The consumer maps each code to what happens to the
/// message: `decode` and `badRow` go to the dead-letter queue at once, `insertRefused` takes the retry path, and
/// `unreachable` requeues the message while the database is down (the breaker pauses the queue).
public struct SinkError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String { case decode, badRow, insertRefused, unreachable }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The body is not an event envelope (invalid JSON, wrong shape): retrying cannot help.
        public static let decode = Code(.decode)
        /// A row misses a required field, or the message has no rows: retrying cannot help.
        public static let badRow = Code(.badRow)
        /// ClickHouse answered and refused the insert (a schema being fixed, a server error): worth a retry.
        public static let insertRefused = Code(.insertRefused)
        /// ClickHouse did not answer (down, timed out): an outage, not the message's fault.
        public static let unreachable = Code(.unreachable)

        /// Bounded: fit for a metric label.
        public var description: String { value.rawValue }
    }

    public var code: Code
    /// What went wrong, naming the event or the table; written to the dead-letter headers.
    public var message: String
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The reason class written to dead-letter headers and metric labels; nil for an outage, which is never
    /// dead-lettered.
    public var failure: SinkFailure? {
        switch code {
        case .decode: .decode
        case .badRow: .badRow
        case .insertRefused: .insert
        default: nil
        }
    }

    /// The reason written to a dead-letter copy's headers, as operators read it in `SinkWorker dlq peek`.
    public var deadLetterReason: String {
        switch code {
        case .decode: "cannot decode the message: \(message)"
        case .badRow: "bad row: \(message)"
        default: message
        }
    }

    public var description: String {
        "sink \(code): \(message)" + (cause.map { " (cause: \($0))" } ?? "")
    }
}

extension SinkError {
    /// An insert failure as the sink sees it: a refusal when ClickHouse answered with an error, an outage otherwise.
    init(inserting table: QualifiedTable, _ error: any Error) {
        guard let error = error as? ClickHouseError, error.code == .serverError else {
            self.init(.unreachable, "ClickHouse did not take the insert into \(table): \(error)", cause: error)
            return
        }
        var text = "insert into \(table) failed"
        if let status = error.httpStatus { text += ": HTTP \(status)" }
        if let code = error.serverCode { text += ", code \(code)" }
        self.init(.insertRefused, text + ": " + (error.serverMessage ?? error.message), cause: error)
    }
}

extension SinkError {
    /// True when the insert ran out of time: ClickHouse may be hung, or the message's insert may be the slow one.
    /// The sinks ask the database's health check which it is (`TimeoutStrikes`).
    public var isTimeout: Bool {
        (cause as? ClickHouseError)?.code == .timeout
    }
}
