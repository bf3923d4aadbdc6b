import CNghttp2
import EventCore
import Foundation
import Synchronization

/// One client connection: an nghttp2 server session driven by its event loop over a non-blocking socket.
///
/// On a TLS port the connection first runs the handshake step by step as the socket becomes ready; bytes then go
/// through `transport` (the socket itself, or TLS records over it). nghttp2 callbacks (see
/// `HTTP2Connection+Callbacks.swift`) build requests, which go to the handler in a task; the response comes back
/// in parts through `inbox`, and the loop is woken (`EventLoop.schedule`) to apply them. Time limits are checked
/// by the loop once a second (`HTTP2Connection+Limits.swift`).
// @unchecked Sendable: everything but `inbox` is touched only by the loop's thread (`handle`, `applyInbox`,
// `checkLimits`, `beginDrain`, `close` and the nghttp2 callbacks they drive); other threads reach the connection
// only through `enqueue` (the `inbox` Mutex, then `EventLoop.schedule`), and `socket`, `token` and `loop` are
// immutable.
final class HTTP2Connection: @unchecked Sendable {
    enum Phase {
        /// TLS port: the handshake runs; `checked` once the first bytes proved to be a TLS record.
        case handshaking(TLSTransport, checked: Bool)
        case open
        case closed
    }

    let socket: Int32
    let token: UInt64
    unowned let loop: EventLoop
    var phase: Phase = .open
    var transport: (any ConnectionTransport)?
    var session: OpaquePointer?
    /// The session's allocator (`eventgrpc_lean_memory`): big blocks as pages of their own, so that an idle
    /// connection gives its frame buffer back (`releaseIdleMemory`).
    private var memory: UnsafeMutablePointer<eventgrpc_lean_memory>?
    /// The frame buffer's pages were given back and nothing was written since.
    private var frameBufferReleased = false
    var streams: [Int32: HTTP2Stream] = [:]
    private let inbox = Mutex<[(streamID: Int32, part: HTTP2ResponsePart)]>([])
    /// Frames nghttp2 produced, gathered for the socket, that it did not take yet, and how much of them went out.
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    /// Frames gathered into one `send` (`flush`).
    static let gatherBytes = 64 * 1024
    /// The epoll events asked for now.
    private var interest: UInt32 = 0
    var goawaySent = false
    /// GOAWAY went out because the server shuts down: new and open streams' writers are told to finish.
    var isDraining = false
    /// The client's `address:port`, read once at accept time (requests carry it for log lines).
    let peer: String

    // Time limits (see `HTTP2Connection+Limits.swift`).
    var openedAt = ContinuousClock.now
    /// The preface (or the TLS handshake) must be done by then; nil once it is.
    var prefaceDeadline: ContinuousClock.Instant?
    /// When the first byte of a frame not yet complete arrived; nil between frames.
    var incompleteSince: ContinuousClock.Instant?
    private var frames = FrameBoundaryTracker()
    /// When the socket stopped taking our bytes (nil while it takes them).
    var writeBlockedSince: ContinuousClock.Instant?
    /// When a stream was last opened or closed: the idle timeout counts from there while no stream is open.
    var lastStreamActivity = ContinuousClock.now
    /// GOAWAY for age goes out then; after it, the connection is closed by `ageCloseDeadline`.
    var ageDeadline = ContinuousClock.now
    var ageCloseDeadline: ContinuousClock.Instant?

    var environment: ConnectionEnvironment { loop.environment }
    var configuration: HTTP2ServerConfiguration { loop.environment.configuration }
    var budget: RequestBufferBudget { loop.environment.budget }
    var logger: Logger { loop.environment.logger }

    init(socket: Int32, token: UInt64, loop: EventLoop) {
        self.socket = socket
        self.token = token
        self.loop = loop
        self.peer = PeerAddress.of(socket)
    }

    deinit {
        if let session { nghttp2_session_del(session) }
        if let memory { eventgrpc_lean_memory_free(memory) }
    }

    var isClosed: Bool {
        if case .closed = phase { true } else { false }
    }

    var hasPendingInput: Bool {
        guard case .open = phase, let transport else { return false }
        return transport.hasPendingInput
    }

    /// Registers the socket with the loop and starts the TLS handshake or the HTTP/2 session.
    func open(now: ContinuousClock.Instant) {
        loop.owner.assertOnOwnerThread()
        openedAt = now
        let age = configuration.maxConnectionAge
        ageDeadline = now.advanced(by: age * Double.random(in: 0.9...1.1))
        guard loop.register(socket, token: token, events: eventgrpc_epoll_in) else {
            logger.error("cannot watch a new connection; closed", ["error.message": "\(SystemErrno.current)"])
            close(cut: nil)
            return
        }
        interest = eventgrpc_epoll_in
        if let tls = environment.tls {
            prefaceDeadline = now.advanced(by: tls.configuration.handshakeTimeout)
            do {
                phase = .handshaking(try tls.beginHandshake(descriptor: socket), checked: false)
            } catch {
                tls.handshakeFailed(error)
                close(cut: nil)
            }
            return
        }
        prefaceDeadline = now.advanced(by: configuration.prefaceTimeout)
        transport = PlainTransport(descriptor: socket)
        startSession()
    }

    /// The socket is readable (or has an error to report) and/or writable.
    func handle(readable: Bool, writable: Bool, buffer: UnsafeMutableRawBufferPointer) {
        loop.owner.assertOnOwnerThread()
        switch phase {
        case .closed: return
        case .handshaking(let tls, let checked): advanceHandshake(tls, checked: checked)
        case .open:
            flushing { () throws(HTTP2Error) in
                if readable || transport?.hasPendingInput == true { try receive(into: buffer) }
            }
        }
    }

    /// Hands response parts to the loop (from any thread), in order.
    func enqueue(_ parts: [HTTP2ResponsePart], streamID: Int32) {
        inbox.withLock { inbox in
            for part in parts { inbox.append((streamID, part)) }
        }
        loop.schedule(token)
    }

    /// Applies the response parts handlers sent since the last time (loop thread).
    func applyInbox() {
        loop.owner.assertOnOwnerThread()
        let parts = inbox.withLock { inbox in
            defer { inbox = [] }
            return inbox
        }
        guard case .open = phase else { return }
        flushing { () throws(HTTP2Error) in
            for (streamID, part) in parts {
                guard let stream = streams[streamID] else { continue }  // the client reset it meanwhile
                try apply(part, to: stream)
            }
        }
    }

    private func advanceHandshake(_ tls: TLSTransport, checked: Bool) {
        guard let acceptor = environment.tls else { return }
        do {
            if !checked {
                guard try TLSTransport.refusePlaintext(socket) else { return }
                phase = .handshaking(tls, checked: true)
            }
            guard let wantsWrite = try tls.advanceHandshake() else {
                acceptor.handshakeSucceeded()
                phase = .open
                transport = tls
                prefaceDeadline = ContinuousClock.now.advanced(by: configuration.prefaceTimeout)
                startSession()
                settle()
                return
            }
            watch(writable: wantsWrite)
        } catch {
            acceptor.handshakeFailed(error)
            close(cut: nil)
        }
    }

    private func startSession() {
        do {
            guard let memory = eventgrpc_lean_memory_new() else {
                throw HTTP2Error(.sessionFailed, "out of memory creating a session allocator")
            }
            self.memory = memory
            session = try HTTP2SessionFactory.makeServerSession(for: self, memory: memory)
            let settings = [
                nghttp2_settings_entry(
                    settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue),
                    value: UInt32(configuration.maxConcurrentStreams)
                ),
                nghttp2_settings_entry(
                    settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue),
                    value: UInt32(configuration.maxHeaderListBytes)
                ),
            ]
            let result = nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), settings, settings.count)
            guard result == 0 else { throw HTTP2Error(.sessionFailed, "cannot submit SETTINGS") }
            try flush()
        } catch {
            logger.debug("connection closed", .error(error))
            close(cut: nil)
        }
    }

    /// Reads what the transport has (a bounded number of times, so one busy client does not starve the loop) and
    /// feeds it to nghttp2.
    private func receive(into buffer: UnsafeMutableRawBufferPointer) throws(HTTP2Error) {
        guard let transport else { return }
        for _ in 0..<16 {
            guard case .open = phase, let count = try transport.receive(into: buffer) else { return }
            if count == 0 {
                close(cut: nil)
                return
            }
            let (completed, atBoundary) = frames.advance(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            if atBoundary {
                incompleteSince = nil
            } else if completed || incompleteSince == nil {
                incompleteSince = .now
            }
            let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let consumed = nghttp2_session_mem_recv(session, base, count)
            if consumed < 0 {
                throw HTTP2Error(
                    .sessionFailed,
                    "protocol error: \(String(cString: nghttp2_strerror(Int32(consumed))))"
                )
            }
        }
    }

    /// Writes what nghttp2 has queued, as far as the socket takes it; the rest waits in `pending` for EPOLLOUT.
    /// `nghttp2_session_mem_send` hands out one frame at a time, so the frames are gathered in `pending` (up to
    /// `gatherBytes`) and written with one `send`: a unary answer (HEADERS, DATA, trailers) costs one system call,
    /// not three.
    func flush() throws(HTTP2Error) {
        guard case .open = phase, let transport else { return }
        while true {
            if pendingOffset < pending.count {
                let offset = pendingOffset
                let result = pending.withUnsafeBytes { bytes in
                    Result { () throws(HTTP2Error) in
                        try transport.send(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
                    }
                }
                let written = try result.get()
                if written > 0 { writeBlockedSince = nil }
                pendingOffset += written
                guard pendingOffset == pending.count else {
                    if writeBlockedSince == nil { writeBlockedSince = .now }
                    return
                }
                pending = []
                pendingOffset = 0
            }
            while pending.count < Self.gatherBytes {
                var data: UnsafePointer<UInt8>?
                let length = nghttp2_session_mem_send(session, &data)
                if length < 0 {
                    throw HTTP2Error(
                        .sessionFailed,
                        "cannot serialize frames: \(String(cString: nghttp2_strerror(Int32(length))))"
                    )
                }
                guard length > 0, let data else { break }
                frameBufferReleased = false
                pending.append(contentsOf: UnsafeBufferPointer(start: data, count: length))
            }
            guard !pending.isEmpty else {
                writeBlockedSince = nil
                return
            }
        }
    }

    /// Gives the frame buffer's pages back while the connection has no stream and nothing to send (called from
    /// the limit check, so at most once a second per connection).
    func releaseIdleMemory() {
        guard !frameBufferReleased, streams.isEmpty, pendingOffset == pending.count, let memory,
            nghttp2_session_want_write(session) == 0
        else { return }
        frameBufferReleased = true
        eventgrpc_lean_memory_release_frame_buffer(memory)
    }

    /// Runs `step` (frames read, response parts applied, streams reset), sends what it queued and settles the
    /// connection; any error closes the connection instead. Returns false when the connection closed.
    @discardableResult
    func flushing(_ step: () throws(HTTP2Error) -> Void = {}) -> Bool {
        do {
            try step()
            try flush()
        } catch {
            logger.debug("connection closed", .error(error))
            close(cut: nil)
            return false
        }
        settle()
        return true
    }

    /// After I/O: closes a session that has nothing left to read or write, else asks epoll for the right events.
    func settle() {
        guard case .open = phase, let transport else { return }
        if pendingOffset == pending.count && nghttp2_session_want_read(session) == 0
            && nghttp2_session_want_write(session) == 0
        {
            transport.finish()
            close(cut: nil)
            return
        }
        watch(writable: pendingOffset < pending.count || transport.blockedOnWrite)
    }

    private func watch(writable: Bool) {
        let wanted = eventgrpc_epoll_in | (writable ? eventgrpc_epoll_out : 0)
        guard wanted != interest else { return }
        interest = wanted
        loop.modify(socket, token: token, events: wanted)
    }

    /// Closes the socket at once: open streams' writers learn it, their request bytes go back to the budget.
    /// `cut`: the limit that ended the connection, counted.
    func close(cut: HTTP2ServerMetrics.CutReason?) {
        guard !isClosed else { return }
        phase = .closed
        if let cut { environment.metrics.cut[cut]?.increment() }
        for stream in streams.values {
            stream.writer?.interrupt(.closed)
            budget.release(stream.reservedBytes)
        }
        environment.metrics.openStreams.subtract(streams.count, ordering: .relaxed)
        streams = [:]
        pending = []
        transport = nil
        Foundation.shutdown(socket, Int32(SHUT_RDWR))
        Foundation.close(socket)  // also leaves epoll
    }
}
