import EventCore
import Glibc

extension PublisherShared {
    /// True while the broker has blocked the connection, or has owed confirms and sent none for `stallTimeout`.
    func isStalled(after stallTimeout: Duration, now: ContinuousClock.Instant) -> Bool {
        status.stallReason(after: stallTimeout, at: now) != nil
    }
}

extension AMQPPublisher {
    /// When the broker is stalled (see `shutdown()`), shuts the connection's socket down in both directions: the
    /// publishing thread's wait for a frame or its blocked send then fails at once, and it drops the connection
    /// as lost. Runs under the owner's lock so the descriptor cannot be closed (and reused) meanwhile.
    func abortIfStalled() {
        let aborted = owner.withLock { state -> Bool in
            guard let socket = state.socket, state.shared.isStalled(after: stallTimeout, now: .now) else {
                return false
            }
            Glibc.shutdown(socket, Int32(SHUT_RDWR))
            return true
        }
        if aborted {
            logger.warning(
                "broker stalled at shutdown; abandoning the connection instead of waiting for its confirms",
                ["amqp.stall_timeout": "\(stallTimeout)"]
            )
        }
    }
}
