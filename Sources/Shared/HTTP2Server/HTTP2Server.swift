public import EventCore
import Foundation
import Synchronization

/// An HTTP/2 server, cleartext (h2c, prior knowledge) or over TLS (ALPN h2, with a `TLSAcceptor`): one accept
/// thread, one thread per connection (which also runs the connection's TLS handshake).
///
/// It only turns frames into `HTTP2Request`s and `HTTP2Response`s into frames; what a request means is the
/// handler's business. `shutdown()` stops accepting, sends GOAWAY on every connection and lets their open
/// streams finish; `run()` returns when the last connection closed.
public final class HTTP2Server: Service {
    private enum State {
        case idle
        case serving(connections: [ObjectIdentifier: HTTP2Connection])
        /// GOAWAY sent; `run()` waits (`drained`) until the last connection has closed.
        case draining(connections: [ObjectIdentifier: HTTP2Connection], drained: CheckedContinuation<Void, Never>?)
        case stopped
    }

    public let name = "grpc-server"
    private let configuration: HTTP2ServerConfiguration
    private let handler: any HTTP2RequestHandler
    /// Set: the port speaks TLS (ALPN h2); nil: HTTP/2 cleartext.
    private let tls: TLSAcceptor?
    private let logger: Logger
    private let budget: RequestBufferBudget
    private let state = Mutex(State.idle)
    private let listener: Mutex<ListeningSocketBox?> = Mutex(nil)

    public init(
        configuration: HTTP2ServerConfiguration,
        handler: any HTTP2RequestHandler,
        tls: TLSAcceptor? = nil,
        logger: Logger
    ) {
        self.configuration = configuration
        self.handler = handler
        self.tls = tls
        self.logger = logger
        self.budget = RequestBufferBudget(limit: configuration.maxBufferedRequestBytes)
    }

    /// Request body bytes held now by all connections together (`RequestBufferBudget`), for a metric.
    public var bufferedRequestBytes: Int { budget.inUse }

    /// Binds the port; after this returns, clients can connect. Called by `run()` when not called before.
    /// Returns the bound port.
    @discardableResult
    public func bind() throws -> Int {
        try listener.withLock { box in
            if let box { return box.socket.port }
            let socket = try ListeningSocket(host: configuration.host, port: configuration.port)
            let port = socket.port
            box = ListeningSocketBox(socket)
            return port
        }
    }

    public func run() async throws {
        try bind()
        let proceed = state.withLock { state -> Bool in
            guard case .idle = state else { return false }
            state = .serving(connections: [:])
            return true
        }
        guard proceed else { return }
        try await acceptUntilShutdown()
        // Close the port as soon as accepting stops: new clients are refused at once (UNAVAILABLE) instead of
        // waiting in the backlog of a socket nobody accepts from.
        listener.withLock { $0 = nil }
        await waitForConnectionsToClose()
        state.withLock { $0 = .stopped }
    }

    /// Runs the accept loop on its own thread; the listening socket is referenced only inside, so that dropping
    /// `listener` afterwards closes it.
    private func acceptUntilShutdown() async throws {
        guard let box = listener.withLock({ $0 }) else { return }
        logger.info("listening", ["grpc.port": .int(box.socket.port), "grpc.tls": .bool(tls != nil)])
        try await runOnDedicatedThread(named: "h2-accept") { try self.acceptLoop(box) }
    }

    public func shutdown() {
        let connections = state.withLock { state -> [HTTP2Connection] in
            switch state {
            case .idle:
                state = .stopped
                return []
            case .serving(let connections):
                state = .draining(connections: connections, drained: nil)
                return Array(connections.values)
            case .draining, .stopped:
                return []
            }
        }
        for connection in connections { connection.beginShutdown() }
    }

    private var isServing: Bool {
        state.withLock { if case .serving = $0 { true } else { false } }
    }

    private func acceptLoop(_ box: ListeningSocketBox) throws {
        while isServing {
            guard let client = try box.socket.accept(timeoutMilliseconds: 200) else { continue }
            let connection: HTTP2Connection
            do {
                connection = try HTTP2Connection(
                    socket: client,
                    tls: tls,
                    configuration: configuration,
                    handler: handler,
                    budget: budget,
                    logger: logger
                )
            } catch {
                close(client)
                logger.error("connection refused", .error(error))
                continue
            }
            let accepted = state.withLock { state -> Bool in
                guard case .serving(var connections) = state else { return false }
                connections[ObjectIdentifier(connection)] = connection
                state = .serving(connections: connections)
                return true
            }
            guard accepted else { return }
            let thread = Thread { [self] in
                nameCurrentThread("h2-conn")
                connection.run()
                self.remove(connection)
            }
            thread.start()
        }
    }

    private func remove(_ connection: HTTP2Connection) {
        let drained = state.withLock { state -> CheckedContinuation<Void, Never>? in
            switch state {
            case .serving(var connections):
                connections[ObjectIdentifier(connection)] = nil
                state = .serving(connections: connections)
                return nil
            case .draining(var connections, let drained):
                connections[ObjectIdentifier(connection)] = nil
                guard connections.isEmpty else {
                    state = .draining(connections: connections, drained: drained)
                    return nil
                }
                state = .draining(connections: [:], drained: nil)
                return drained
            case .idle, .stopped:
                return nil
            }
        }
        drained?.resume()
    }

    /// Returns once every connection has closed after `shutdown()`, or when the task is cancelled (the drain
    /// deadline passed: the process exits with the connections still open).
    private func waitForConnectionsToClose() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let done = state.withLock { state -> Bool in
                    guard case .draining(let open, _) = state, !open.isEmpty, !Task.isCancelled else { return true }
                    state = .draining(connections: open, drained: continuation)
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            let drained = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard case .draining(let open, let drained) = state else { return nil }
                state = .draining(connections: open, drained: nil)
                return drained
            }
            drained?.resume()
        }
    }
}
