import CNghttp2
import Foundation
import Synchronization

/// One client connection: an nghttp2 server session driven by a thread of its own.
///
/// The thread polls the socket and a wake-up pipe; nghttp2 callbacks (see `HTTP2Connection+Callbacks.swift`) build
/// requests, which go to the handler in a task; the task's response comes back through `inbox` and the wake-up pipe.
final class HTTP2Connection: @unchecked Sendable {  // session and streams are used by the connection thread only
    private struct Inbox {
        var responses: [(streamID: Int32, response: HTTP2Response)] = []
        var shutdownRequested = false
    }

    let socket: Int32
    let configuration: HTTP2ServerConfiguration
    let handler: any HTTP2RequestHandler
    let logger: Logger
    /// A non-blocking pipe: other threads write a byte to wake the connection thread out of `poll`.
    private let wakeReader: Int32
    private let wakeWriter: Int32
    private let inbox = Mutex(Inbox())
    var session: OpaquePointer?
    var streams: [Int32: HTTP2Stream] = [:]
    private var goawaySent = false

    init(socket: Int32, configuration: HTTP2ServerConfiguration, handler: any HTTP2RequestHandler, logger: Logger)
        throws(HTTP2Error)
    {
        self.socket = socket
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw HTTP2Error(.sessionFailed, "cannot create a wake-up pipe: \(SystemErrno.current); raise the file limit")
        }
        for end in ends { _ = fcntl(end, F_SETFL, O_NONBLOCK) }
        self.wakeReader = ends[0]
        self.wakeWriter = ends[1]
    }

    deinit {
        if let session { nghttp2_session_del(session) }
        close(wakeReader)
        close(wakeWriter)
        close(socket)
    }

    /// Hands a finished response to the connection thread (from any thread).
    func respond(streamID: Int32, with response: HTTP2Response) {
        inbox.withLock { $0.responses.append((streamID, response)) }
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
            try startSession()
            try serve()
        } catch {
            logger.debug("connection closed", .error(error))
        }
    }

    private func startSession() throws(HTTP2Error) {
        session = try HTTP2SessionFactory.makeServerSession(for: self)
        var settings = nghttp2_settings_entry(
            settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue),
            value: UInt32(configuration.maxConcurrentStreams))
        guard nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, 1) == 0 else {
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
            let ready = poll(&entries, 2, 1000)
            if ready < 0 && errno != EINTR {
                throw HTTP2Error(.sessionFailed, "poll() failed: \(SystemErrno.current)")
            }
            if entries[1].revents != 0 {
                var drain = [UInt8](repeating: 0, count: 64)
                while read(wakeReader, &drain, drain.count) > 0 {}
                try applyInbox()
            }
            if entries[0].revents != 0 {
                let count = recv(socket, buffer.baseAddress, buffer.count, 0)
                if count == 0 { return }
                if count < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    throw HTTP2Error(.sessionFailed, "recv() failed: \(SystemErrno.current)")
                }
                lastActivity = .now
                let consumed = nghttp2_session_mem_recv(
                    session, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count)
                if consumed < 0 {
                    throw HTTP2Error(.sessionFailed, "protocol error: \(String(cString: nghttp2_strerror(Int32(consumed))))")
                }
            }
            if streams.isEmpty && ContinuousClock.now - lastActivity > configuration.idleTimeout && !goawaySent {
                logger.debug("closing idle connection")
                sendGoaway()
            }
            try flush()
        }
    }

    private func applyInbox() throws(HTTP2Error) {
        let (responses, shutdown) = inbox.withLock { inbox in
            defer { inbox.responses = [] }
            return (inbox.responses, inbox.shutdownRequested)
        }
        for (streamID, response) in responses {
            guard let stream = streams[streamID] else { continue }  // the client reset it meanwhile
            try submit(response, on: stream)
        }
        if shutdown && !goawaySent {
            sendGoaway()
        }
    }

    private func sendGoaway() {
        goawaySent = true
        let lastStream = nghttp2_session_get_last_proc_stream_id(session)
        nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), lastStream, UInt32(NGHTTP2_NO_ERROR.rawValue), nil, 0)
    }

    /// Writes everything nghttp2 has queued to the socket.
    private func flush() throws(HTTP2Error) {
        while true {
            var data: UnsafePointer<UInt8>?
            let length = nghttp2_session_mem_send(session, &data)
            if length < 0 {
                throw HTTP2Error(.sessionFailed, "cannot serialize frames: \(String(cString: nghttp2_strerror(Int32(length))))")
            }
            guard length > 0, let data else { return }
            var offset = 0
            while offset < length {
                let written = send(socket, data + offset, length - offset, Int32(MSG_NOSIGNAL))
                if written < 0 {
                    if errno == EINTR { continue }
                    throw HTTP2Error(.sessionFailed, "send() failed: \(SystemErrno.current)")
                }
                offset += written
            }
        }
    }
}
