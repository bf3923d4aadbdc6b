/// Owns the listening socket for the server's lifetime.
public final class ListeningSocketBox: Sendable {
    public let socket: ListeningSocket

    public init(_ socket: consuming ListeningSocket) {
        self.socket = socket
    }
}
