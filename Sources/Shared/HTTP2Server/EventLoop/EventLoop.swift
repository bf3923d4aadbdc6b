import CNghttp2
import EventCore
import Foundation
import Synchronization

/// One event-loop thread that drives many connections: epoll over their non-blocking sockets, an eventfd that
/// other threads write to wake it, and (on the first loop) the listening socket.
///
/// Other threads reach a loop only through its owner's shared `Inbox` (under the `ThreadOwner` lock) and the
/// eventfd: `adopt` hands it a freshly accepted socket, `schedule` says a connection has response parts waiting
/// (a request handler answered), `enqueue` gives it a job of a handler's task (the loop is the handlers' task
/// executor, `EventLoop+TaskExecutor.swift`), `drain` asks for GOAWAY everywhere, `stop` ends the thread (closing
/// whatever is still open). Timers (time limits per connection) are checked once a second while connections are open.
// @unchecked Sendable: `connections`, `nextToken`, `acceptor` and `draining` are touched only by the loop thread
// (`run()` and what it calls; checked with `owner.assertOnOwnerThread()`); other threads use `owner` (a lock) and
// write to `wakeDescriptor`; `epoll` and `environment` are immutable.
final class EventLoop: @unchecked Sendable {
    struct Inbox: Sendable {
        var adopted: [Int32] = []
        var ready: [UInt64] = []
        /// Jobs of the tasks that prefer this loop (`EventLoop+TaskExecutor.swift`), in arrival order.
        var jobs: [UnownedJob] = []
        /// A byte is in the eventfd already: no need to write another.
        var signaled = false
        var drainRequested = false
    }

    static let wakeToken: UInt64 = 0
    static let listenerToken: UInt64 = 1
    /// How often time limits are checked while connections are open.
    static let tick: Duration = .seconds(1)

    let index: Int
    let owner = ThreadOwner(Inbox())
    let environment: ConnectionEnvironment
    let epoll: Int32
    private let wakeDescriptor: Int32
    /// Called (from this loop's thread) each time one of its connections closed.
    private let onClose: @Sendable () -> Void
    private var connections: [UInt64: HTTP2Connection] = [:]
    private var nextToken: UInt64 = 2
    /// The first loop's: accepts and spreads new connections over all loops.
    var acceptor: ConnectionAcceptor?
    private var draining = false
    /// Connections whose TLS session holds decrypted bytes epoll cannot see: served again without waiting.
    private var pendingInput: [HTTP2Connection] = []

    init(index: Int, environment: ConnectionEnvironment, onClose: @escaping @Sendable () -> Void) throws(HTTP2Error) {
        self.index = index
        self.environment = environment
        self.onClose = onClose
        epoll = eventgrpc_epoll_create()
        guard epoll >= 0 else {
            throw HTTP2Error(.sessionFailed, "epoll_create1() failed: \(SystemErrno.current); raise the file limit")
        }
        wakeDescriptor = eventgrpc_eventfd()
        guard wakeDescriptor >= 0 else {
            close(epoll)
            throw HTTP2Error(.sessionFailed, "eventfd() failed: \(SystemErrno.current); raise the file limit")
        }
        _ = register(wakeDescriptor, token: Self.wakeToken, events: eventgrpc_epoll_in)
    }

    deinit {
        close(wakeDescriptor)
        close(epoll)
    }

    func start() {
        owner.start(name: "h2-loop-\(index)") { [self] in run() }
    }

    /// Hands an accepted socket to this loop (from the accepting loop's thread).
    func adopt(_ socket: Int32) {
        let adopted = owner.withLock { state -> Bool in
            guard state.acceptsWork else { return false }
            state.adopted.append(socket)
            return true
        }
        guard adopted else {
            close(socket)
            onClose()
            return
        }
        signal()
    }

    /// Says that connection `token` has work (response parts), from any thread.
    func schedule(_ token: UInt64) {
        let signals = owner.withLock { state -> Bool in
            state.ready.append(token)
            defer { state.signaled = true }
            return !state.signaled
        }
        if signals { writeWakeByte() }
    }

    /// GOAWAY on every connection; open streams finish (from any thread).
    func drain() {
        owner.withLock { $0.drainRequested = true }
        signal()
    }

    /// Ends the thread; connections still open are closed (from any thread).
    func stop() {
        owner.requestStop()
        writeWakeByte()
    }

    private func signal() {
        let signals = owner.withLock { state -> Bool in
            defer { state.signaled = true }
            return !state.signaled
        }
        if signals { writeWakeByte() }
    }

    func writeWakeByte() {
        var one: UInt64 = 1
        _ = write(wakeDescriptor, &one, 8)  // only fails when the counter is full, which wakes the loop anyway
    }

    @discardableResult
    func register(_ descriptor: Int32, token: UInt64, events: UInt32) -> Bool {
        eventgrpc_epoll_control(epoll, 0, descriptor, events, token) == 0
    }

    func modify(_ descriptor: Int32, token: UInt64, events: UInt32) {
        _ = eventgrpc_epoll_control(epoll, 1, descriptor, events, token)
    }

    func unregister(_ descriptor: Int32) {
        _ = eventgrpc_epoll_control(epoll, 2, descriptor, 0, 0)
    }

    private func run() {
        owner.assertOnOwnerThread()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        var tokens = [UInt64](repeating: 0, count: 256)
        var events = [UInt32](repeating: 0, count: 256)
        var nextCheck = ContinuousClock.now.advanced(by: Self.tick)
        while !owner.withLock({ $0.isStopping }) {
            let count = eventgrpc_epoll_wait(epoll, &tokens, &events, 256, timeout(until: nextCheck))
            if count < 0 && errno != EINTR {
                let reason = SystemErrno.current
                environment.logger.error("epoll_wait() failed; event loop stops", ["error.message": "\(reason)"])
                break
            }
            let retry = pendingInput
            pendingInput = []
            for connection in retry where !connection.isClosed {
                serve(connection, readable: true, writable: false, buffer)
            }
            for index in 0..<Int(max(count, 0)) {
                switch tokens[index] {
                case Self.wakeToken: takeInbox()
                case Self.listenerToken: acceptor?.acceptReady(now: .now)
                case let token:
                    guard let connection = connections[token] else { continue }
                    let flags = events[index]
                    let readable = flags & (eventgrpc_epoll_in | eventgrpc_epoll_hangup) != 0
                    serve(connection, readable: readable, writable: flags & eventgrpc_epoll_out != 0, buffer)
                }
            }
            let now = ContinuousClock.now
            acceptor?.resumeIfDue(now: now)
            if now >= nextCheck {
                nextCheck = now.advanced(by: Self.tick)
                for connection in Array(connections.values) {
                    connection.checkLimits(now: now)
                    finishIfClosed(connection)
                }
            }
        }
        acceptor?.stop()
        for connection in Array(connections.values) {
            connection.close(cut: nil)
            finishIfClosed(connection)
        }
        // Sockets and jobs handed over after the last look at the inbox: `adopt` refuses new ones from now on,
        // and new jobs go to the global executor (`enqueue`); these go there too.
        let (orphans, jobs) = owner.withLock { state in
            defer {
                state.adopted = []
                state.jobs = []
            }
            return (state.adopted, state.jobs)
        }
        for socket in orphans {
            close(socket)
            onClose()
        }
        for job in jobs { globalConcurrentExecutor.enqueue(job) }
    }

    /// Milliseconds epoll may sleep: until the next limit check while connections are open (or the listener
    /// backs off), else until woken.
    private func timeout(until nextCheck: ContinuousClock.Instant) -> Int32 {
        if !pendingInput.isEmpty { return 0 }
        var deadline: ContinuousClock.Instant?
        if !connections.isEmpty { deadline = nextCheck }
        if let resume = acceptor?.resumeAt { deadline = min(deadline ?? resume, resume) }
        guard let deadline else { return -1 }
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
    }

    private func serve(
        _ connection: HTTP2Connection,
        readable: Bool,
        writable: Bool,
        _ buffer: UnsafeMutableRawBufferPointer
    ) {
        connection.handle(readable: readable, writable: writable, buffer: buffer)
        if connection.hasPendingInput { pendingInput.append(connection) }
        finishIfClosed(connection)
    }

    private func finishIfClosed(_ connection: HTTP2Connection) {
        guard connection.isClosed, connections.removeValue(forKey: connection.token) != nil else { return }
        onClose()
    }

    /// Opens adopted sockets, runs the handlers' jobs, applies the response parts handlers sent, drains on request.
    /// When there are jobs, the signal stays raised while they run and the inbox is read once more right after
    /// them: the parts they answer with (and whatever other threads add meanwhile) are applied in the same wake-up,
    /// without writing the eventfd again.
    private func takeInbox() {
        owner.assertOnOwnerThread()
        var counter: UInt64 = 0
        _ = read(wakeDescriptor, &counter, 8)
        if process(takeShared(holdingSignal: true)) {
            process(takeShared(holdingSignal: false))
        }
    }

    /// Empties the shared inbox; the signal stays raised when `holdingSignal` and there are jobs to run.
    private func takeShared(holdingSignal: Bool) -> Inbox {
        owner.withLock { state -> Inbox in
            defer {
                state.signaled = holdingSignal && !state.jobs.isEmpty
                state.adopted = []
                state.ready = []
                state.jobs = []
                state.drainRequested = false
            }
            return state.shared
        }
    }

    /// Returns whether it ran jobs.
    @discardableResult
    private func process(_ inbox: Inbox) -> Bool {
        for socket in inbox.adopted { open(socket) }
        runJobs(inbox.jobs)
        for token in inbox.ready {
            guard let connection = connections[token] else { continue }  // closed meanwhile: its parts are moot
            connection.applyInbox()
            finishIfClosed(connection)
        }
        if inbox.drainRequested && !draining {
            draining = true
            acceptor?.stop()
            for connection in Array(connections.values) {
                connection.beginDrain()
                finishIfClosed(connection)
            }
        }
        return !inbox.jobs.isEmpty
    }

    private func open(_ socket: Int32) {
        owner.assertOnOwnerThread()
        let token = nextToken
        nextToken += 1
        let connection = HTTP2Connection(socket: socket, token: token, loop: self)
        connections[token] = connection
        connection.open(now: .now)
        if draining { connection.beginDrain() }
        finishIfClosed(connection)
    }
}
