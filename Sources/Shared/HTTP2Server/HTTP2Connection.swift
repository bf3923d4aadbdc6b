import CNghttp2
import EventCore
import Foundation
import Synchronization

/// One client connection: an nghttp2 server session driven by a thread of its own.
///
/// On a TLS port the thread first runs the handshake (`TLSAcceptor`); bytes then go through `transport` (the socket
/// itself, or TLS records over it). The thread polls the socket and a wake-up pipe; nghttp2 callbacks (see `HTTP2Connection+Callbacks.swift`) build
/// requests, which go to the handler in a task; the response comes back in parts through `inbox` and the wake-up
/// pipe. Time limits: a request must arrive whole within `requestTimeout`, a send to a client that stopped
/// reading fails after `sendTimeout` (and closes the connection), an idle connection closes after `idleTimeout`.
// @unchecked Sendable: `session`, `streams`, `goawaySent`, `isDraining` and `transport` (with its TLS session) are
// touched only by the connection thread (`run()` and the nghttp2 callbacks it drives); other threads reach the
// connection only through `inbox` (a Mutex) and the wake-up pipe (`beginShutdown()`, the response writers' sink), and
// the rest is immutable.
final class HTTP2Connection: @unchecked Sendable {
    private struct Inbox {
        var parts: [(streamID: Int32, part: HTTP2ResponsePart)] = []
        var shutdownRequested = false
    }

    let socket: Int32
    /// Plain until `run()` replaces it with the TLS session of a completed handshake (connection thread only).
    private var transport: any ConnectionTransport
    /// Set on a TLS port: `run()` does the handshake before HTTP/2 starts.
    private let tls: TLSAcceptor?
    let configuration: HTTP2ServerConfiguration
    let budget: RequestBufferBudget
    let handler: any HTTP2RequestHandler
    let logger: Logger
    /// A non-blocking pipe: other threads write a byte to wake the connection thread out of `poll`.
    private let wakeReader: Int32
    private let wakeWriter: Int32
    private let inbox = Mutex(Inbox())
    var session: OpaquePointer?
    var streams: [Int32: HTTP2Stream] = [:]
    private var goawaySent = false
    /// GOAWAY went out because the server shuts down: new and open streams' writers are told to finish.
    var isDraining = false
    /// The client's `address:port`, read once at accept time (requests carry it for log lines).
    let peer: String

    init(
        socket: Int32,
        tls: TLSAcceptor? = nil,
        configuration: HTTP2ServerConfiguration,
        handler: any HTTP2RequestHandler,
        budget: RequestBufferBudget,
        logger: Logger
    )
        throws(HTTP2Error)
    {
        self.socket = socket
        self.transport = PlainTransport(descriptor: socket)
        self.tls = tls
        self.peer = PeerAddress.of(socket)
        self.configuration = configuration
        self.budget = budget
        self.handler = handler
        self.logger = logger
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw HTTP2Error(
                .sessionFailed,
                "cannot create a wake-up pipe: \(SystemErrno.current); raise the file limit"
            )
        }
        for end in ends { _ = fcntl(end, F_SETFL, O_NONBLOCK) }
        self.wakeReader = ends[0]
        self.wakeWriter = ends[1]
        var limit = configuration.sendTimeout.timeval
        guard setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            close(wakeReader)
            close(wakeWriter)
            throw HTTP2Error(.sessionFailed, "cannot set the send timeout: \(SystemErrno.current)")
        }
    }

    deinit {
        if let session { nghttp2_session_del(session) }
        close(wakeReader)
        close(wakeWriter)
        close(socket)
    }

    /// Hands response parts to the connection thread (from any thread), in order.
    func enqueue(_ parts: [HTTP2ResponsePart], streamID: Int32) {
        inbox.withLock { inbox in
            for part in parts { inbox.parts.append((streamID, part)) }
        }
        wake()
    }

    /// Sends GOAWAY, lets open streams finish, then closes (from any thread).
    func beginShutdown() {
        inbox.withLock { $0.shutdownRequested = true }
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)  // a full pipe already wakes the thread
    }

    /// The thread body: returns when the connection is closed.
    func run() {
        do {
            if let tls {
                transport = try tls.handshake(descriptor: socket, sendTimeout: configuration.sendTimeout)
            }
            try startSession()
            try serve()
            transport.finish()
        } catch {
            logger.debug("connection closed", .error(error))
        }
        for stream in streams.values {
            stream.writer?.interrupt(.closed)
            budget.release(stream.reservedBytes)
        }
        streams = [:]
        shutdown(socket, Int32(SHUT_RDWR))  // the peer sees the end now; the descriptor closes in deinit
    }

    private func startSession() throws(HTTP2Error) {
        session = try HTTP2SessionFactory.makeServerSession(for: self)
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
        guard nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), settings, settings.count) == 0 else {
            throw HTTP2Error(.sessionFailed, "cannot submit SETTINGS")
        }
    }

    private func serve() throws(HTTP2Error) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
        defer { buffer.deallocate() }
        var lastActivity = ContinuousClock.now
        try flush()
        while nghttp2_session_want_read(session) != 0 || nghttp2_session_want_write(session) != 0 {
            var entries = [
                pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0),
            ]
            // Records OpenSSL already decrypted are invisible to poll: look again at once.
            let ready = poll(&entries, 2, transport.hasPendingInput ? 0 : 1000)
            if ready < 0 && errno != EINTR {
                throw HTTP2Error(.sessionFailed, "poll() failed: \(SystemErrno.current)")
            }
            if entries[1].revents != 0 {
                var drain = [UInt8](repeating: 0, count: 64)
                while read(wakeReader, &drain, drain.count) > 0 {}
                try applyInbox()
            }
            if entries[0].revents != 0 || transport.hasPendingInput {
                switch try receive(into: buffer) {
                case .endOfStream: return
                case .received: lastActivity = .now
                case .nothing: break
                }
            }
            if streams.isEmpty && ContinuousClock.now - lastActivity > configuration.idleTimeout && !goawaySent {
                logger.debug("closing idle connection")
                sendGoaway()
            }
            try resetIncompleteRequests()
            try flush()
        }
    }

    private enum Reception { case received, nothing, endOfStream }

    /// Reads what the transport has and feeds it to nghttp2.
    private func receive(into buffer: UnsafeMutableRawBufferPointer) throws(HTTP2Error) -> Reception {
        guard let count = try transport.receive(into: buffer) else { return .nothing }
        if count == 0 { return .endOfStream }
        let consumed = nghttp2_session_mem_recv(session, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count)
        if consumed < 0 {
            throw HTTP2Error(.sessionFailed, "protocol error: \(String(cString: nghttp2_strerror(Int32(consumed))))")
        }
        return .received
    }

    private func applyInbox() throws(HTTP2Error) {
        let (parts, shutdown) = inbox.withLock { inbox in
            defer { inbox.parts = [] }
            return (inbox.parts, inbox.shutdownRequested)
        }
        for (streamID, part) in parts {
            guard let stream = streams[streamID] else { continue }  // the client reset it meanwhile
            try apply(part, to: stream)
        }
        if shutdown && !isDraining {
            isDraining = true
            if !goawaySent { sendGoaway() }
            for stream in streams.values { stream.writer?.interrupt(.serverDraining) }
        }
    }

    /// Resets streams whose request did not arrive whole within the request timeout (a trickling client).
    private func resetIncompleteRequests() throws(HTTP2Error) {
        let now = ContinuousClock.now
        for stream in streams.values where !stream.dispatched && now - stream.openedAt > configuration.requestTimeout {
            stream.dispatched = true
            logger.debug(
                "request incomplete after the request timeout; stream reset",
                ["h2.stream": .integer(stream.id)]
            )
            let result = nghttp2_submit_rst_stream(
                session,
                UInt8(NGHTTP2_FLAG_NONE.rawValue),
                stream.id,
                UInt32(NGHTTP2_CANCEL.rawValue)
            )
            if result != 0 {
                throw HTTP2Error(.sessionFailed, "cannot reset a stream: \(String(cString: nghttp2_strerror(result)))")
            }
        }
    }

    private func sendGoaway() {
        goawaySent = true
        let lastStream = nghttp2_session_get_last_proc_stream_id(session)
        nghttp2_submit_goaway(
            session,
            UInt8(NGHTTP2_FLAG_NONE.rawValue),
            lastStream,
            UInt32(NGHTTP2_NO_ERROR.rawValue),
            nil,
            0
        )
    }

    /// Writes everything nghttp2 has queued to the socket.
    private func flush() throws(HTTP2Error) {
        while true {
            var data: UnsafePointer<UInt8>?
            let length = nghttp2_session_mem_send(session, &data)
            if length < 0 {
                throw HTTP2Error(
                    .sessionFailed,
                    "cannot serialize frames: \(String(cString: nghttp2_strerror(Int32(length))))"
                )
            }
            guard length > 0, let data else { return }
            try transport.send(UnsafeRawBufferPointer(start: data, count: length))
        }
    }
}
