import CNghttp2
import EventCore

/// Time limits of one connection, checked by its loop once a second, and the GOAWAY paths (drain, age, idle).
extension HTTP2Connection {
    func checkLimits(now: ContinuousClock.Instant) {
        loop.owner.assertOnOwnerThread()
        switch phase {
        case .closed: return
        case .handshaking:
            guard let deadline = prefaceDeadline, now >= deadline, let tls = environment.tls else { return }
            let timeout = tls.configuration.handshakeTimeout
            tls.handshakeFailed(TLSHandshakeFailure(kind: .timeout, detail: "no complete handshake within \(timeout)"))
            close(cut: .handshake)
            return
        case .open: break
        }
        if let cut = brokenLimit(now: now) {
            logger.debug("connection cut off", ["h2.cut": "\(cut.rawValue)", "net.peer": "\(peer)"])
            close(cut: cut)
            return
        }
        if let closeBy = ageCloseDeadline, now >= closeBy {
            close(cut: nil)  // counted when its age GOAWAY went out
            return
        }
        if !goawaySent && now >= ageDeadline {
            environment.metrics.cut[.maxAge]?.increment()
            sendGoaway()
            ageCloseDeadline = now.advanced(by: configuration.maxConnectionAgeGrace)
        } else if !goawaySent && streams.isEmpty && now - lastStreamActivity > configuration.idleTimeout {
            environment.metrics.cut[.idle]?.increment()
            sendGoaway()
        }
        guard flushing({ () throws(HTTP2Error) in try resetIncompleteRequests(now: now) }) else { return }
        releaseIdleMemory()
    }

    /// The time limit the client broke, if any: no preface, a frame trickling in, a socket or a flow-control
    /// window that takes nothing for the send timeout.
    private func brokenLimit(now: ContinuousClock.Instant) -> HTTP2ServerMetrics.CutReason? {
        if let deadline = prefaceDeadline, now >= deadline { return .preface }
        if let since = incompleteSince, now - since > configuration.frameTimeout { return .trickle }
        if let since = writeBlockedSince, now - since > configuration.sendTimeout { return .writeStall }
        let connectionWindow = nghttp2_session_get_remote_window_size(session)
        for stream in streams.values {
            guard stream.outgoingOffset < stream.outgoing.count,
                connectionWindow <= 0 || nghttp2_session_get_stream_remote_window_size(session, stream.id) <= 0
            else {
                stream.windowBlockedSince = nil
                continue
            }
            guard let since = stream.windowBlockedSince else {
                stream.windowBlockedSince = now
                continue
            }
            if now - since > configuration.sendTimeout { return .zeroWindow }
        }
        return nil
    }

    /// GOAWAY because the server shuts down: open streams finish, then the connection closes. A connection that
    /// never got as far as HTTP/2 closes at once.
    func beginDrain() {
        loop.owner.assertOnOwnerThread()
        guard !isDraining else { return }
        isDraining = true
        guard case .open = phase, prefaceDeadline == nil else {
            close(cut: nil)
            return
        }
        if !goawaySent { sendGoaway() }
        for stream in streams.values { stream.writer?.interrupt(.serverDraining) }
        flushing()
    }

    /// Resets streams whose request did not arrive whole within the request timeout (a trickling client).
    private func resetIncompleteRequests(now: ContinuousClock.Instant) throws(HTTP2Error) {
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

    func sendGoaway() {
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
}
