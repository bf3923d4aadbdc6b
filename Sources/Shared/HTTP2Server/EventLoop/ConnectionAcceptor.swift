import CNghttp2
import EventCore
import Foundation
import Synchronization

/// The accepting side of the first event loop: takes every pending connection from the listening socket,
/// refuses those above `MAX_CONNECTIONS` (accepted and closed at once, counted) and spreads the others over the
/// loops in turn.
///
/// An accept error is never fatal: on EMFILE, ENFILE, ENOMEM, ENOBUFS (or anything unexpected) the listener
/// leaves epoll for `backoff`, the open connections are served meanwhile, and the error is counted by errno and
/// logged at most once per 10 s. Loop thread only.
final class ConnectionAcceptor {
    static let backoff: Duration = .milliseconds(100)

    /// The listening socket; dropped (closed) when accepting stops, so that new clients are refused at once
    /// instead of waiting in a backlog nobody accepts from.
    private var socket: ListeningSocketBox?
    private let listener: Int32
    private unowned let loop: EventLoop
    private let loops: [EventLoop]
    /// Reserves a connection slot (false: at the limit) or tells that the server is draining.
    private let admit: () -> Admission
    private var next = 0
    /// Set while the listener is out of epoll after an accept error.
    private(set) var resumeAt: ContinuousClock.Instant?
    private var stopped = false
    private var errorLog = RateLimitedLog()

    enum Admission { case admitted, full, draining }

    init(socket: ListeningSocketBox, loop: EventLoop, loops: [EventLoop], admit: @escaping () -> Admission) {
        self.socket = socket
        self.listener = socket.socket.descriptor
        self.loop = loop
        self.loops = loops
        self.admit = admit
        _ = fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK)
        loop.register(listener, token: EventLoop.listenerToken, events: eventgrpc_epoll_in)
    }

    /// Accepts what is pending (at most a batch, so one loop's connections are not starved by a flood).
    func acceptReady(now: ContinuousClock.Instant) {
        guard !stopped, resumeAt == nil else { return }
        for _ in 0..<256 {
            let client = accept(listener, nil, nil)
            if client >= 0 {
                _ = fcntl(client, F_SETFL, O_NONBLOCK)
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                place(client)
                continue
            }
            let code = errno
            switch code {
            case EAGAIN, EWOULDBLOCK: return
            case EINTR, ECONNABORTED, EPROTO, EPERM: continue
            default:
                backOff(code, now: now)
                return
            }
        }
    }

    private func place(_ client: Int32) {
        switch admit() {
        case .admitted:
            var yes: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            let target = loops[next % loops.count]
            next &+= 1
            target.adopt(client)
        case .full:
            close(client)
            loop.environment.metrics.refusedAtLimit.increment()
        case .draining:
            close(client)
            loop.environment.metrics.refusedDraining.increment()
        }
    }

    private func backOff(_ code: Int32, now: ContinuousClock.Instant) {
        loop.environment.metrics.acceptError(code)
        loop.unregister(listener)
        resumeAt = now.advanced(by: Self.backoff)
        if let suppressed = errorLog.admit(now: now) {
            loop.environment.logger.warning(
                "accept() failed; the listener pauses 100 ms, open connections are still served",
                [
                    "error.message": "\(SystemErrno(code: code))", "accept.suppressed": "\(suppressed)",
                    "grpc.connections.open": "\(loop.environment.metrics.openConnections.load(ordering: .relaxed))",
                ]
            )
        }
    }

    func resumeIfDue(now: ContinuousClock.Instant) {
        guard let resumeAt, now >= resumeAt else { return }
        self.resumeAt = nil
        guard !stopped else { return }
        loop.register(listener, token: EventLoop.listenerToken, events: eventgrpc_epoll_in)
    }

    /// Stops accepting (drain or stop): the listener leaves epoll; the server closes it.
    func stop() {
        guard !stopped else { return }
        stopped = true
        if resumeAt == nil { loop.unregister(listener) }
        resumeAt = nil
        socket = nil
    }
}
