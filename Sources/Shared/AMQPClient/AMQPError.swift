/// A failure of the AMQP layer: what went wrong (`code`), what to do about it (`message`), the underlying
/// error if any, and the broker's reply code and text when the broker itself refused or closed something.
public struct AMQPError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure; compare with the static members (`.publishNacked`, ...).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case connectionFailed, loginFailed, connectionClosed, channelClosed, declarationFailed
            case publishNacked, publishReturned, protocolError, shutdown, backlogFull, tlsFailed
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// TCP connect, socket set-up or channel open failed: the broker is unreachable.
        public static let connectionFailed = Code(.connectionFailed)
        /// The TLS handshake failed or the broker's certificate was refused (unknown CA, expired, wrong name), or the
        /// CA, certificate or key file could not be loaded. The message says which.
        public static let tlsFailed = Code(.tlsFailed)
        /// The broker refused the credentials or the vhost.
        public static let loginFailed = Code(.loginFailed)
        /// The connection died (socket error, heartbeat timeout, broker close) before the operation finished.
        public static let connectionClosed = Code(.connectionClosed)
        /// The broker closed the channel (for example a precondition failure).
        public static let channelClosed = Code(.channelClosed)
        /// An exchange, queue or binding could not be declared as configured.
        public static let declarationFailed = Code(.declarationFailed)
        /// The broker refused responsibility for a published message (basic.nack).
        public static let publishNacked = Code(.publishNacked)
        /// A mandatory message could not be routed to any queue (basic.return).
        public static let publishReturned = Code(.publishReturned)
        /// The broker or the library sent something this client does not expect.
        public static let protocolError = Code(.protocolError)
        /// The publisher or consumer was shut down.
        public static let shutdown = Code(.shutdown)
        /// The publisher's bounded queue of calls is full (the broker is slow or stalled); nothing was sent.
        public static let backlogFull = Code(.backlogFull)

        /// A short, bounded name suitable for a metric label.
        public var description: String { value.rawValue }
    }

    public var code: Code
    /// What happened and what to do about it.
    public var message: String
    public var cause: (any Error)?
    /// The broker's reply code (for example 312 NO_ROUTE, 404 NOT_FOUND, 406 PRECONDITION_FAILED), if any.
    public var replyCode: UInt16?
    /// The broker's reply text, if any.
    public var replyText: String?

    public init(
        code: Code,
        message: String,
        cause: (any Error)? = nil,
        replyCode: UInt16? = nil,
        replyText: String? = nil
    ) {
        self.code = code
        self.message = message
        self.cause = cause
        self.replyCode = replyCode
        self.replyText = replyText
    }

    public var description: String {
        var text = "AMQPError(\(code)): \(message)"
        if let replyCode {
            text += " [broker \(replyCode)\(replyText.map { " \($0)" } ?? "")]"
        }
        if let cause {
            text += " (cause: \(cause))"
        }
        return text
    }
}
