import EventCore

/// The publishing thread's body: owns the connection, the confirm tracker and the continuations in flight.
/// Created and used only on that thread.
final class PublisherLoop {
    /// How long the idle thread sleeps before servicing the socket (heartbeats, broker close detection).
    static let pollInterval: Duration = .milliseconds(200)

    let publisher: AMQPPublisher
    var connection: AMQPConnection?
    var tracker = ConfirmTracker<Int>()
    var inFlight: [Int: CheckedContinuation<Void, any Error>] = [:]
    private var nextCallID = 0
    var nextAttempt = ContinuousClock.now
    private let arena = AMQPArena()

    init(publisher: AMQPPublisher) {
        self.publisher = publisher
    }

    var shared: ConditionBox<PublisherShared> { publisher.shared }
    var logger: Logger { publisher.logger }

    func run() {
        logger.info("publisher started")
        while step() {}
        connection?.close()
        connection = nil
        let waiters = shared.update { state -> [CheckedContinuation<Void, Never>] in
            state.phase = .stopped
            state.isConnected = false
            defer { state.stopWaiters.removeAll() }
            return state.stopWaiters
        }
        logger.info("publisher stopped")
        for waiter in waiters {
            waiter.resume()
        }
    }

    /// One turn of the loop; false when the thread should exit.
    private func step() -> Bool {
        guard let connection else { return stepDisconnected() }
        let (batch, stopping) = shared.wait(
            until: .now + Self.pollInterval,
            for: { !$0.queue.isEmpty || $0.phase == .stopping },
            then: { state in
                defer { state.queue.removeAll() }
                return (state.queue, state.phase == .stopping)
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
        let stopping = shared.wait(until: nextAttempt, for: { $0.phase == .stopping }, then: { $0.phase == .stopping })
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
            shared.update { $0.isConnected = true }
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
        let ids = batch.map { request in
            defer { nextCallID += 1 }
            inFlight[nextCallID] = request.continuation
            return nextCallID
        }
        for (id, request) in zip(ids, batch) {
            for message in request.messages {
                tracker.track(
                    call: id,
                    messageID: message.messageID,
                    exchange: message.exchange,
                    routingKey: message.routingKey
                )
                defer { arena.reset() }
                try connection.publish(message, arena: arena)
            }
        }
        while tracker.hasOutstanding {
            if let frame = try connection.nextFrame(timeout: Self.pollInterval) {
                handle(frame)
            }
        }
        assert(inFlight.isEmpty, "every tracked call has an outcome once nothing is outstanding")
    }

    /// Reads whatever the broker sent while idle: heartbeats are answered and a close is noticed.
    private func service(_ connection: AMQPConnection) throws(AMQPError) {
        while let frame = try connection.nextFrame(timeout: .zero) {
            handle(frame)
        }
    }
}
