/// A failure of the HTTP/2 server itself (not of a request: those become responses).
public struct HTTP2Error: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String { case bindFailed, acceptFailed, sessionFailed }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The port cannot be bound.
        public static let bindFailed = Code(.bindFailed)
        /// Accepting connections failed for a reason other than a transient one.
        public static let acceptFailed = Code(.acceptFailed)
        /// nghttp2 refused to create or drive a session.
        public static let sessionFailed = Code(.sessionFailed)

        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        "HTTP/2 \(code): \(message)" + (cause.map { " (cause: \($0))" } ?? "")
    }
}
