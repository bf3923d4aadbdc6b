import Glibc

/// The admin server's event loop, run by its one thread: accepts, reads requests, writes answers and closes
/// connections at their deadline, over non-blocking sockets and one `poll` per turn.
struct AdminLoop {
    /// How long accepting pauses after a failed accept (EMFILE, ENFILE, ENOBUFS, ENOMEM): the open connections
    /// are still served meanwhile.
    static let acceptBackoff: Duration = .milliseconds(100)
    /// The longest `poll` waits, so that `shutdown()` is noticed.
    static let longestWait: Duration = .milliseconds(200)

    let server: AdminServer
    let listener: Int32
    /// Oldest first: a crowded server closes `connections[0]`.
    private(set) var connections: [AdminConnection] = []
    private var acceptPausedUntil: ContinuousClock.Instant?

    init(server: AdminServer, listener: Int32) {
        self.server = server
        self.listener = listener
    }

    /// Waits for something to do (at most `longestWait`), then does it.
    mutating func turn() {
        let now = ContinuousClock.now
        if let until = acceptPausedUntil, until <= now { acceptPausedUntil = nil }
        var entries = connections.map { connection in
            pollfd(
                fd: connection.descriptor,
                events: Int16(connection.phase == .reading ? POLLIN : POLLOUT),
                revents: 0
            )
        }
        entries.append(pollfd(fd: acceptPausedUntil == nil ? listener : -1, events: Int16(POLLIN), revents: 0))
        var wakeAt = now + Self.longestWait
        for connection in connections { wakeAt = min(wakeAt, connection.deadline) }
        if let until = acceptPausedUntil { wakeAt = min(wakeAt, until) }
        let wait = max(Duration.zero, wakeAt - now)
        let milliseconds = Int32(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)
        let ready = poll(&entries, nfds_t(entries.count), milliseconds + 1)
        guard ready >= 0 || errno == EINTR else {
            server.logger.error("admin poll() failed", ["error.text": "\(SystemErrno.current)"])
            acceptPausedUntil = ContinuousClock.now + Self.acceptBackoff
            return
        }
        var closing = Set<Int32>()
        for (index, entry) in entries.dropLast().enumerated() where entry.revents != 0 {
            if !serve(&connections[index]) { closing.insert(connections[index].descriptor) }
        }
        let later = ContinuousClock.now
        for connection in connections where connection.deadline <= later && !closing.contains(connection.descriptor) {
            closing.insert(connection.descriptor)
            server.metrics.cutAtDeadline.increment()
        }
        close(closing)
        if entries[entries.count - 1].revents != 0 { acceptWaiting() }
    }

    /// Reads or writes what `connection` is ready for; false when it is done (answered, closed or failed).
    private func serve(_ connection: inout AdminConnection) -> Bool {
        if connection.phase == .reading {
            switch connection.read(limit: server.limits.maxRequestBytes) {
            case .incomplete:
                return true
            case .closed:
                return false
            case .complete(let head):
                connection.answer(server.answer(head))
            case .refused(let status, let body):
                connection.answer(AdminServer.serialize(AdminRouter.Response(status: status, body: body)))
            }
        }
        return !connection.write()
    }

    /// Accepts every waiting connection; closes the oldest when there is no room for one more.
    private mutating func acceptWaiting() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                let code = errno
                switch code {
                case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED, EPROTO:
                    return
                default:
                    server.metrics.acceptErrors.increment()
                    server.logger.log(
                        .warning,
                        limitedBy: server.acceptErrorLog,
                        key: "accept",
                        "admin accept failed; pausing accepts briefly, open connections are still served",
                        ["error.text": "\(SystemErrno(code: code))"]
                    )
                    acceptPausedUntil = ContinuousClock.now + Self.acceptBackoff
                    return
                }
            }
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            if connections.count >= server.limits.maxConnections {
                Glibc.close(connections.removeFirst().descriptor)
                server.metrics.cutCrowded.increment()
            }
            connections.append(
                AdminConnection(descriptor: client, deadline: ContinuousClock.now + server.limits.requestTimeout)
            )
            server.metrics.open.set(connections.count)
        }
    }

    private mutating func close(_ descriptors: Set<Int32>) {
        guard !descriptors.isEmpty else { return }
        for descriptor in descriptors { Glibc.close(descriptor) }
        connections.removeAll { descriptors.contains($0.descriptor) }
        server.metrics.open.set(connections.count)
    }

    /// Closes every connection (the server stops).
    mutating func closeAll() {
        close(Set(connections.map(\.descriptor)))
    }
}
