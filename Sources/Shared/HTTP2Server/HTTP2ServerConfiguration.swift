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
    /// A send to a client that stopped reading fails after this (SO_SNDTIMEO) and the connection closes;
    /// default 10 s.
    public var sendTimeout: Duration = .seconds(10)

    public init() {}
}
