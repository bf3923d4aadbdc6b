import Foundation

/// Listening address and limits of the HTTP/2 server (cleartext, or TLS with a `TLSAcceptor`).
public struct HTTP2ServerConfiguration: Sendable {
    /// Address to bind; default `0.0.0.0` (the gRPC port serves clients).
    public var host = "0.0.0.0"
    /// Port to bind; default 8017 (`PORT`).
    public var port = 8017
    /// SETTINGS_MAX_CONCURRENT_STREAMS advertised to each client; default 100.
    public var maxConcurrentStreams = 100
    /// A request body larger than this is refused before it is buffered; default 4 MiB plus the 5-byte gRPC
    /// frame prefix.
    public var maxRequestBodyBytes = 4 * 1024 * 1024 + 5
    /// Request body bytes all connections together may hold at once; a stream that would pass it is answered at
    /// once with RESOURCE_EXHAUSTED; default 256 MiB (`MAX_BUFFERED_REQUEST_BYTES`).
    public var maxBufferedRequestBytes = 256 * 1024 * 1024
    /// SETTINGS_MAX_HEADER_LIST_SIZE: a request whose header fields are larger is reset; default 16 KiB.
    public var maxHeaderListBytes = 16 * 1024
    /// A connection with no stream open and nothing received for this long is closed; default 5 minutes.
    public var idleTimeout: Duration = .seconds(300)
    /// A request must arrive whole (HEADERS to END_STREAM) within this, or its stream is reset; default 30 s.
    public var requestTimeout: Duration = .seconds(30)
    /// A client that reads nothing from the socket, or leaves a response on a zero flow-control window, for this
    /// long is cut off; default 10 s (`SEND_TIMEOUT`).
    public var sendTimeout: Duration = .seconds(10)
    /// Event-loop threads that drive all connections; default one per core (`EVENT_LOOPS`).
    public var eventLoops = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Open connections at most; one more is accepted and closed at once (counted); default 10,000
    /// (`MAX_CONNECTIONS`).
    public var maxConnections = 10_000
    /// A client must send the HTTP/2 preface (and its SETTINGS) within this after the TCP accept (after the TLS
    /// handshake on a TLS port), or it is cut off; default 10 s (`PREFACE_TIMEOUT`).
    public var prefaceTimeout: Duration = .seconds(10)
    /// Bytes of a frame that started must complete the frame within this, or the connection is cut off (a
    /// trickling client); default 10 s (`FRAME_TIMEOUT`).
    public var frameTimeout: Duration = .seconds(10)
    /// A connection gets GOAWAY after this age, ±10 % at random so that clients reconnect spread out (and
    /// rebalance after a scale-out); default 30 minutes (`MAX_CONNECTION_AGE`).
    public var maxConnectionAge: Duration = .seconds(1800)
    /// After its age GOAWAY, a connection whose streams have not ended is closed after this; default 30 s.
    public var maxConnectionAgeGrace: Duration = .seconds(30)

    public init() {}
}
