public import EventCore
import Foundation
import Synchronization

/// The TLS side of the gRPC port: the current certificate (reloaded on `reload()` or when a file changed), the
/// handshakes of new connections, their metrics and a rate-limited log of failed handshakes.
///
/// A reload never touches open connections: each keeps the context it was accepted with; handshakes that start
/// afterwards get the new one. A reload that fails (a half-written file, a key that does not match) is logged and
/// counted, and the previous certificate stays in use.
public final class TLSAcceptor: Sendable {
    private struct State {
        var context: TLSContext
        /// The files as they were at the last load attempt, successful or not: a change triggers one new attempt.
        var attempted: FileFingerprint
        var failureLog = RateLimitedLog()
    }

    public let configuration: TLSConfiguration
    private let state: Mutex<State>
    private let metrics: TLSMetrics
    private let logger: Logger

    /// `context` was loaded from `configuration` at start-up (`TLSContext.load`, which also checks the files).
    public init(configuration: TLSConfiguration, context: TLSContext, registry: MetricsRegistry, logger: Logger) {
        self.configuration = configuration
        self.metrics = TLSMetrics(registry: registry)
        self.logger = logger
        self.state = Mutex(State(context: context, attempted: FileFingerprint(paths: configuration.files)))
        // OpenSSL writes to the socket with write(2): a client gone mid-write must not kill the process.
        signal(SIGPIPE, SIG_IGN)
        installed(context, cause: "start")
    }

    /// Loads the files again now (SIGHUP), whether or not they changed.
    public func reload() {
        let fingerprint = FileFingerprint(paths: configuration.files)
        state.withLock { $0.attempted = fingerprint }
        load(cause: "SIGHUP")
    }

    /// The context for a handshake starting now: first reloaded when a file changed since the last attempt.
    func currentContext() -> TLSContext {
        let fingerprint = FileFingerprint(paths: configuration.files)
        let changed = state.withLock { state -> Bool in
            guard state.attempted != fingerprint else { return false }
            state.attempted = fingerprint
            return true
        }
        if changed { load(cause: "file changed") }
        return state.withLock { $0.context }
    }

    /// Starts the server side of the handshake on a new connection's socket with the current certificate; the
    /// connection's loop drives it and reports the end with `handshakeSucceeded()` or `handshakeFailed(_:)`.
    func beginHandshake(descriptor: Int32) throws(TLSHandshakeFailure) -> TLSTransport {
        try TLSTransport.begin(descriptor: descriptor, context: currentContext())
    }

    func handshakeSucceeded() {
        metrics.handshakesOK.increment()
    }

    /// Counts a failed handshake and logs it (rate-limited).
    func handshakeFailed(_ error: TLSHandshakeFailure) {
        metrics.handshakeFailures[error.kind]?.increment()
        // TCP probes (load balancers, port checks) connect and close: normal, not worth a warning.
        guard error.kind != .closed else {
            logger.debug("TLS client closed before its handshake", ["error.message": "\(error.detail)"])
            return
        }
        let suppressed = state.withLock { $0.failureLog.admit(now: .now) }
        if let suppressed {
            logger.warning(
                "TLS handshake failed; connection closed",
                [
                    "tls.failure.kind": "\(error.kind.rawValue)", "error.message": "\(error.detail)",
                    "tls.failure.suppressed": "\(suppressed)",
                ]
            )
        }
    }

    private func load(cause: String) {
        do {
            let context = try TLSContext.load(configuration)
            state.withLock { $0.context = context }
            metrics.reloadsOK.increment()
            installed(context, cause: cause)
        } catch {
            metrics.reloadsFailed.increment()
            logger.error(
                "TLS certificate reload failed; new connections keep the previous certificate",
                ["tls.reload.cause": "\(cause)", "error.message": "\(error.problem)"]
            )
        }
    }

    private func installed(_ context: TLSContext, cause: String) {
        metrics.notAfter.set(context.notAfter)
        let metadata: Logger.Metadata = [
            "tls.serial": "\(context.serial)", "tls.not_after": "\(context.notAfter)",
            "tls.client_certificates": context.verifiesClients ? "required" : "not asked", "tls.cause": "\(cause)",
        ]
        if context.isExpired {
            logger.warning("TLS certificate loaded, but it has EXPIRED: clients will refuse it; renew it", metadata)
        } else {
            logger.notice("TLS certificate loaded", metadata)
        }
    }
}
