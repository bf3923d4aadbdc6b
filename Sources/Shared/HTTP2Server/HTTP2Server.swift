public import EventCore
import Foundation
import Synchronization

/// An HTTP/2 server, cleartext (h2c, prior knowledge) or over TLS (ALPN h2, with a `TLSAcceptor`): a few
/// event-loop threads (`EVENT_LOOPS`, one per core by default) drive every connection over non-blocking sockets;
/// no thread per connection. The first loop also accepts (`ConnectionAcceptor`: `MAX_CONNECTIONS`, accept errors
/// backed off, never fatal).
///
/// It only turns frames into `HTTP2Request`s and `HTTP2Response`s into frames; what a request means is the
/// handler's business (its async code runs on Swift's pool; responses come back to the loop through an eventfd).
/// `shutdown()` stops accepting, sends GOAWAY on every connection and lets their open streams finish; `run()`
/// returns when the last connection closed, or at once when its task is cancelled (the drain deadline), closing
/// what is still open.
public final class HTTP2Server: Service {
    private enum State {
        case idle
        case running(Running)
        case stopped
    }

    private struct Running {
        var open = 0
        /// `shutdown()` was called: GOAWAY sent, nothing more accepted.
        var draining = false
        /// `run()` waiting for the last connection to close after `shutdown()`.
        var drained: CheckedContinuation<Void, Never>?
    }

    public let name = "grpc-server"
    private let environment: ConnectionEnvironment
    private let state = Mutex(State.idle)
    private let listener: Mutex<ListeningSocketBox?> = Mutex(nil)
    private let loops: Mutex<[EventLoop]> = Mutex([])

    /// `registry` receives the transport's metrics (connections, streams, refusals, accept errors, cuts); without
    /// one they are kept in a registry nobody renders.
    public init(
        configuration: HTTP2ServerConfiguration,
        handler: any HTTP2RequestHandler,
        tls: TLSAcceptor? = nil,
        registry: MetricsRegistry? = nil,
        logger: Logger
    ) {
        environment = ConnectionEnvironment(
            configuration: configuration,
            handler: handler,
            tls: tls,
            budget: RequestBufferBudget(limit: configuration.maxBufferedRequestBytes),
            metrics: HTTP2ServerMetrics(registry: registry ?? MetricsRegistry()),
            logger: logger
        )
        // A client gone mid-write must not kill the process.
        signal(SIGPIPE, SIG_IGN)
    }

    /// Request body bytes held now by all connections together (`RequestBufferBudget`), for a metric.
    public var bufferedRequestBytes: Int { environment.budget.inUse }

    /// Binds the port; after this returns, clients can connect (they wait in the backlog until `run()`). Called by
    /// `run()` when not called before. Returns the bound port.
    @discardableResult
    public func bind() throws -> Int {
        try listener.withLock { box in
            if let box { return box.socket.port }
            let configuration = environment.configuration
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
            state = .running(Running())
            return true
        }
        guard proceed,
            let socket = listener.withLock({ box in
                defer { box = nil }
                return box
            })
        else { return }
        let loops = try (0..<max(1, environment.configuration.eventLoops)).map { index throws(HTTP2Error) in
            try EventLoop(index: index, environment: environment) { [weak self] in self?.connectionClosed() }
        }
        loops[0].acceptor = ConnectionAcceptor(socket: socket, loop: loops[0], loops: loops) { [weak self] in
            self?.admit() ?? .draining
        }
        let draining = self.loops.withLock { registered -> Bool in
            registered = loops
            return state.withLock { if case .running(let running) = $0 { running.draining } else { true } }
        }
        for loop in loops { loop.start() }
        if draining { for loop in loops { loop.drain() } }
        environment.logger.info(
            "listening",
            [
                "grpc.port": .int(socket.socket.port), "grpc.tls": .bool(environment.tls != nil),
                "grpc.event_loops": "\(loops.count)",
            ]
        )
        await waitForConnectionsToClose()
        for loop in loops { loop.stop() }
        for loop in loops { await loop.owner.waitUntilStopped() }
        state.withLock { $0 = .stopped }
    }

    public func shutdown() {
        let (loops, drained) = self.loops.withLock { loops in
            state.withLock { state -> ([EventLoop], CheckedContinuation<Void, Never>?) in
                switch state {
                case .idle:
                    state = .stopped
                    return ([], nil)
                case .running(var running):
                    guard !running.draining else { return ([], nil) }
                    running.draining = true
                    var drained: CheckedContinuation<Void, Never>?
                    if running.open == 0 { swap(&drained, &running.drained) }
                    state = .running(running)
                    return (loops, drained)
                case .stopped:
                    return ([], nil)
                }
            }
        }
        for loop in loops { loop.drain() }
        drained?.resume()
    }

    /// Takes a connection slot for a socket just accepted.
    private func admit() -> ConnectionAcceptor.Admission {
        let admission = state.withLock { state -> ConnectionAcceptor.Admission in
            guard case .running(var running) = state, !running.draining else { return .draining }
            guard running.open < environment.configuration.maxConnections else { return .full }
            running.open += 1
            state = .running(running)
            return .admitted
        }
        if admission == .admitted { environment.metrics.openConnections.add(1, ordering: .relaxed) }
        return admission
    }

    private func connectionClosed() {
        environment.metrics.openConnections.subtract(1, ordering: .relaxed)
        let drained = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard case .running(var running) = state else { return nil }
            running.open = max(0, running.open - 1)
            var drained: CheckedContinuation<Void, Never>?
            if running.draining && running.open == 0 { swap(&drained, &running.drained) }
            state = .running(running)
            return drained
        }
        drained?.resume()
    }

    /// Returns once every connection has closed after `shutdown()`, or when the task is cancelled (the drain
    /// deadline passed: the loops then close what is still open).
    private func waitForConnectionsToClose() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let done = state.withLock { state -> Bool in
                    guard case .running(var running) = state, !Task.isCancelled else { return true }
                    if running.draining && running.open == 0 { return true }
                    running.drained = continuation
                    state = .running(running)
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            let drained = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard case .running(var running) = state else { return nil }
                var drained: CheckedContinuation<Void, Never>?
                swap(&drained, &running.drained)
                state = .running(running)
                return drained
            }
            drained?.resume()
        }
    }
}
