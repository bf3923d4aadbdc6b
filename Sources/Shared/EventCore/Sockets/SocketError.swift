/// A listening socket that cannot be opened or accept connections.
public struct SocketError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String { case bindFailed, acceptFailed }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The address cannot be bound (in use, not an IPv4 address, no permission).
        public static let bindFailed = Code(.bindFailed)
        /// Accepting connections failed for a reason other than a transient one.
        public static let acceptFailed = Code(.acceptFailed)

        public var description: String { value.rawValue }
    }

    public var code: Code
    /// What happened and what to do about it.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "socket \(code): \(message)" }
}
