/// Why the ingest pipeline did not take a batch. The transport above maps each code to its own answer (the gRPC
/// edge: INVALID_ARGUMENT, RESOURCE_EXHAUSTED with a pushback hint, UNAVAILABLE); the pipeline knows no transport.
public struct IngestError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String { case invalidBatch, overloaded, draining, unavailable }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The batch breaks a rule (no events, a missing field, a value too long or out of range); the message
        /// names the event and the field. Sending it again will not help.
        public static let invalidBatch = Code(.invalidBatch)
        /// No room now (queue full, too many calls in flight); retry after `retryAfter`.
        public static let overloaded = Code(.overloaded)
        /// The gateway is shutting down; retry on another instance.
        public static let draining = Code(.draining)
        /// Neither the broker nor the spool took the batch (a nack, an unroutable key, a full or failing spool
        /// during an outage); retry with the same event ids.
        public static let unavailable = Code(.unavailable)

        /// Bounded: fit for a metric label.
        public var description: String { value.rawValue }
    }

    public var code: Code
    /// What happened and what the client can do, fit to be shown to it.
    public var message: String
    /// With `overloaded`: how long the client should wait before it retries.
    public var retryAfter: Duration?
    /// The underlying failure, for logs; never shown to the client.
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, retryAfter: Duration? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.cause = cause
    }

    public var description: String {
        "ingest \(code): \(message)" + (cause.map { " (cause: \($0))" } ?? "")
    }
}

extension IngestError {
    static let shuttingDown = IngestError(.draining, "the gateway is shutting down; retry on another instance")
}
