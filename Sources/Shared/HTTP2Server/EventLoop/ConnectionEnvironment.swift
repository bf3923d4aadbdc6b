import EventCore

/// What every connection of one server shares: limits, the request handler, TLS, the request-byte budget,
/// metrics and the log. Immutable.
struct ConnectionEnvironment: Sendable {
    let configuration: HTTP2ServerConfiguration
    let handler: any HTTP2RequestHandler
    /// Set: connections start with a TLS handshake (ALPN h2).
    let tls: TLSAcceptor?
    let budget: RequestBufferBudget
    let metrics: HTTP2ServerMetrics
    let logger: Logger
}
