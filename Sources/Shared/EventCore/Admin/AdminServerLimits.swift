/// How much the admin endpoint lets its clients hold: connections open at once, and the time a whole request
/// (request line, headers and body) and its answer may take.
public struct AdminServerLimits: Sendable, Equatable {
    /// Connections served at once; default 64. When one more arrives, the oldest connection is closed (it is the
    /// one closest to its deadline), so idle or trickling connections cannot keep a probe out.
    public var maxConnections = 64
    /// From accept to the last byte of the answer; default 2 s. A connection still reading its request or
    /// writing its answer then is closed, however many bytes it trickled.
    public var requestTimeout: Duration = .seconds(2)
    /// Largest request (head and body) read; default 16 KiB. A larger one is answered 431.
    public var maxRequestBytes = 16 * 1024

    public init() {}
}
