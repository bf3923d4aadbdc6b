/// Why a streaming handler should stop sending.
public enum HTTP2StreamInterruption: Sendable, Equatable {
    /// The client reset the stream or the connection ended: nothing sent arrives any more.
    case closed
    /// The server is shutting down (GOAWAY went out): finish the response soon so the connection can close.
    case serverDraining
}
