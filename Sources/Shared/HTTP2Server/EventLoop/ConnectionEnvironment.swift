import EventCore

/// What every connection of one server shares: limits, the request handler, TLS, the request-byte budget,
/// metrics and the log. Immutable.
///
/// A class, not a struct: the handler existential makes a struct of these address-only, so every read of a field
/// through a connection (several per request HEADERS, one per header field) copied the whole value, retaining and
/// releasing each of its references; a reference to one shared object costs nothing of the kind.
final class ConnectionEnvironment: Sendable {
    let configuration: HTTP2ServerConfiguration
    let handler: any HTTP2RequestHandler
    /// Set: connections start with a TLS handshake (ALPN h2).
    let tls: TLSAcceptor?
    let budget: RequestBufferBudget
    let metrics: HTTP2ServerMetrics
    let logger: Logger

    init(
        configuration: HTTP2ServerConfiguration,
        handler: any HTTP2RequestHandler,
        tls: TLSAcceptor?,
        budget: RequestBufferBudget,
        metrics: HTTP2ServerMetrics,
        logger: Logger
    ) {
        self.configuration = configuration
        self.handler = handler
        self.tls = tls
        self.budget = budget
        self.metrics = metrics
        self.logger = logger
    }
}
