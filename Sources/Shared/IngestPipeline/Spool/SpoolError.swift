/// A spool failure: what went wrong (`code`), what to do about it (`message`), and the underlying cause.
public struct SpoolError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case full, recordTooLarge, io, corruptRecord, locked, closed
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// `SPOOL_MAX_BYTES` would be exceeded: the batch was not written.
        public static let full = Code(.full)
        /// One batch is larger than a record may be.
        public static let recordTooLarge = Code(.recordTooLarge)
        /// A file operation failed (disk full, permissions, I/O error); `errno` is in the message.
        public static let io = Code(.io)
        /// A record's bytes do not decode (bad length, checksum or encoding).
        public static let corruptRecord = Code(.corruptRecord)
        /// Another process holds the spool directory.
        public static let locked = Code(.locked)
        /// The spool was shut down and takes no more appends.
        public static let closed = Code(.closed)

        /// A short, bounded name suitable for a metric label.
        public var description: String { value.rawValue }
    }

    public var code: Code
    /// What happened and what to do about it.
    public var message: String
    public var cause: (any Error)?

    public init(code: Code, message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        var text = "SpoolError(\(code)): \(message)"
        if let cause {
            text += " (cause: \(cause))"
        }
        return text
    }
}
