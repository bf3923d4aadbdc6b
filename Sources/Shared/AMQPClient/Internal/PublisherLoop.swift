import EventCore

/// The publishing thread's body: owns the connection, the confirm tracker and the continuations in flight.
/// Created and used only on that thread.
final class PublisherLoop {
    /// How long the idle thread sleeps before servicing the socket (heartbeats, broker close detection).
    static let pollInterval: Duration = .milliseconds(200)

    let publisher: AMQPPublisher
    var connection: AMQPConnection?
    var tracker = ConfirmTracker<Int>()
    /// The calls of the round being sent or confirmed, answered or not (a cancelled call stays until settled),
    /// with their message counts.
    var inFlight: [Int: Int] = [:]
    var nextAttempt = ContinuousClock.now
    private let arena = AMQPArena()

    init(publisher: AMQPPublisher) {
        self.publisher = publisher
    }

    var owner: ThreadOwner<PublisherShared> { publisher.owner }
    var logger: Logger { publisher.logger }

    func run() {
        owner.assertOnOwnerThread()
        logger.info("publisher started")
        while step() {}
        // A broker that froze while the thread was idle is not waited for longer than a stall.
        connection?.close(timeout: publisher.stallTimeout)
        dropConnection()
        logger.info("publisher stopped")
    }

    /// One turn of the loop; false when the thread should exit.
    private func step() -> Bool {
        guard let connection else { return stepDisconnected() }
        let (batch, stopping) = owner.wait(
            until: .now + Self.pollInterval,
            for: { !$0.queue.isEmpty || $0.isStopping },
            then: { state in
                defer { state.queue.removeAll() }
                return (state.queue, state.isStopping)
            }
        )
        do {
            if batch.isEmpty {
                if stopping { return false }
                try service(connection)
            } else {
                try publishRound(batch, on: connection)
            }
        } catch {
            lost(error)
        }
        return true
    }

    private func stepDisconnected() -> Bool {
        owner.assertOnOwnerThread()
        let stopping = owner.wait(until: nextAttempt, for: { $0.isStopping }, then: { $0.isStopping })
        if stopping {
            failQueued(
                AMQPError(code: .shutdown, message: "the publisher shut down while the broker was unreachable")
            )
            return false
        }
        do {
            let opened = try AMQPConnection.open(publisher.configuration, declarations: publisher.declarations)
            try opened.selectConfirms()
            connection = opened
            tracker = ConfirmTracker()
            owner.update { state in
                state.isConnected = true
                state.blockedReason = nil
                state.awaitingConfirmSince = nil
                state.socket = opened.socketDescriptor
            }
            logger.info("publisher connected")
        } catch {
            logger.warning("publisher cannot connect; retrying", Logger.Metadata.error(error))
            nextAttempt = .now + publisher.configuration.reconnectDelay
            failQueued(error)
        }
        return true
    }

    /// Publishes every message of `batch`, then waits until each call's outcome is known.
    private func publishRound(_ batch: [PublishRequest], on connection: AMQPConnection) throws(AMQPError) {
        owner.assertOnOwnerThread()
        for request in batch {
            inFlight[request.id] = request.messages.count
        }
        // Set before sending: a send the broker stopped reading counts as a stall too.
        owner.withLock { $0.awaitingConfirmSince = .now }
        for request in batch {
            for message in request.messages {
                tracker.track(
                    call: request.id,
                    messageID: message.messageID,
                    exchange: message.exchange,
                    routingKey: message.routingKey
                )
                defer { arena.reset() }
                try connection.publish(message, arena: arena)
            }
        }
        publisher.afterSending?()
        while tracker.hasOutstanding {
            if let frame = try connection.nextFrame(timeout: Self.pollInterval) {
                handle(frame)
            } else {
                try abandonIfStalledWhileStopping()
            }
        }
        assert(inFlight.isEmpty, "every tracked call has an outcome once nothing is outstanding")
    }

    /// A stop was requested and the broker is stalled (see `AMQPPublisher.shutdown()`): gives the round up so the
    /// thread can exit; `lost` then fails its calls and drops the connection without a closing handshake.
    private func abandonIfStalledWhileStopping() throws(AMQPError) {
        let stalled = owner.withLock { state in
            state.isStopping && state.shared.isStalled(after: publisher.stallTimeout, now: .now)
        }
        guard stalled else { return }
        throw AMQPError(
            code: .connectionClosed,
            message: "the broker confirmed nothing for \(publisher.stallTimeout) while the publisher was stopping; "
                + "abandoning the connection"
        )
    }

    /// Forgets the connection: its socket first (under the lock, so `abortIfStalled` never names a closed
    /// descriptor), then the connection itself, destroyed without a closing handshake if `close()` was not called.
    func dropConnection() {
        owner.update { state in
            state.isConnected = false
            state.blockedReason = nil
            state.awaitingConfirmSince = nil
            state.socket = nil
        }
        connection = nil
    }

    /// Reads whatever the broker sent while idle: heartbeats are answered and a close is noticed.
    private func service(_ connection: AMQPConnection) throws(AMQPError) {
        owner.assertOnOwnerThread()
        while let frame = try connection.nextFrame(timeout: .zero) {
            handle(frame)
        }
    }
}
