public import HTTP2Server

/// A gRPC status: a code and a message for the caller (grpc/grpc `doc/statuscodes.md`).
///
/// Thrown by RPC handlers to answer with that status; the message should say what the caller can do.
public struct GRPCStatus: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int
        private init(_ rawValue: Int) { self.rawValue = rawValue }

        public static let ok = Code(0)
        public static let cancelled = Code(1)
        public static let unknown = Code(2)
        public static let invalidArgument = Code(3)
        public static let deadlineExceeded = Code(4)
        public static let notFound = Code(5)
        public static let resourceExhausted = Code(8)
        public static let failedPrecondition = Code(9)
        public static let unimplemented = Code(12)
        public static let internalError = Code(13)
        public static let unavailable = Code(14)
        public static let unauthenticated = Code(16)

        /// Every code this server names, in numeric order (for metrics present at zero).
        public static let known: [Code] = [
            .ok, .cancelled, .unknown, .invalidArgument, .deadlineExceeded, .notFound, .resourceExhausted,
            .failedPrecondition, .unimplemented, .internalError, .unavailable, .unauthenticated,
        ]

        private static let names: [Int: String] = [
            0: "OK", 1: "CANCELLED", 2: "UNKNOWN", 3: "INVALID_ARGUMENT", 4: "DEADLINE_EXCEEDED", 5: "NOT_FOUND",
            8: "RESOURCE_EXHAUSTED", 9: "FAILED_PRECONDITION", 12: "UNIMPLEMENTED", 13: "INTERNAL",
            14: "UNAVAILABLE", 16: "UNAUTHENTICATED",
        ]

        /// The canonical upper-case name, bounded: fit for a metric label.
        public var description: String { Self.names[rawValue] ?? "CODE_\(rawValue)" }
    }

    public var code: Code
    public var message: String
    /// Extra trailer fields sent with the status (for example `grpc-retry-pushback-ms`).
    public var trailers: [HTTPField]

    public init(_ code: Code, _ message: String, trailers: [HTTPField] = []) {
        self.code = code
        self.message = message
        self.trailers = trailers
    }

    public var description: String { "\(code): \(message)" }
}
