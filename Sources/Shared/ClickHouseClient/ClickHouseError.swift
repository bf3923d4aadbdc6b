/// A failure talking to ClickHouse: what happened (`code`), what to do (`message`), and what the server said.
public struct ClickHouseError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure; extensible without breaking callers that switch on it.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String {
            case connectionFailed, timeout, serverError, invalidIdentifier, invalidResponse, invalidConfiguration
            case tlsFailed
        }
        private let kind: Kind

        /// No replica could be reached, or the connection broke during the request.
        public static let connectionFailed = Code(kind: .connectionFailed)
        /// No replica completed the TLS handshake: a certificate was refused (unknown CA, expired, wrong name), a
        /// CA, certificate or key file could not be loaded, or the port does not speak TLS. The message says which.
        public static let tlsFailed = Code(kind: .tlsFailed)
        /// The request did not finish within its timeout.
        public static let timeout = Code(kind: .timeout)
        /// ClickHouse answered with an HTTP error status (see `httpStatus`, `serverCode`, `serverMessage`).
        public static let serverError = Code(kind: .serverError)
        /// A database, table or column name is not a plain identifier.
        public static let invalidIdentifier = Code(kind: .invalidIdentifier)
        /// The server answered something that is not what ClickHouse answers.
        public static let invalidResponse = Code(kind: .invalidResponse)
        /// The configuration cannot work (no host, bad port, control characters in a credential).
        public static let invalidConfiguration = Code(kind: .invalidConfiguration)

        public var description: String { kind.rawValue }
    }

    /// The longest server text kept, in characters: enough to diagnose, bounded for logs.
    public static let maximumServerMessageLength = 512

    public var code: Code
    /// What went wrong and what to do about it.
    public var message: String
    public var cause: (any Error)?
    /// The HTTP status ClickHouse answered with, when it answered.
    public var httpStatus: Int?
    /// ClickHouse's exception code (`Code: 60` is an unknown table), when the body carried one.
    public var serverCode: Int?
    /// ClickHouse's exception text, at most `maximumServerMessageLength` characters.
    public var serverMessage: String?

    public init(
        code: Code,
        message: String,
        cause: (any Error)? = nil,
        httpStatus: Int? = nil,
        serverCode: Int? = nil,
        serverMessage: String? = nil
    ) {
        self.code = code
        self.message = message
        self.cause = cause
        self.httpStatus = httpStatus
        self.serverCode = serverCode
        self.serverMessage = serverMessage.map(Self.bounded)
    }

    public var description: String {
        var text = "ClickHouseError(\(code)): \(message)"
        if let httpStatus { text += " [HTTP \(httpStatus)]" }
        if let serverCode { text += " [server code \(serverCode)]" }
        if let serverMessage { text += " server said: \(serverMessage)" }
        if let cause { text += " (cause: \(cause))" }
        return text
    }

    static func bounded(_ text: String) -> String {
        guard text.count > maximumServerMessageLength else { return text }
        return String(text.prefix(maximumServerMessageLength - 1)) + "…"
    }
}
