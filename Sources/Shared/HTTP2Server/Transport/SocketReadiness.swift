import Foundation

/// Waits on one non-blocking socket until it is readable or writable, or a deadline passes.
enum SocketReadiness {
    enum Direction {
        case readable, writable

        var events: Int16 { self == .readable ? Int16(POLLIN) : Int16(POLLOUT) }
    }

    /// True when the socket is ready (or has an error or hang-up to report), false when `deadline` passed first.
    static func wait(_ descriptor: Int32, until direction: Direction, deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return false }
            var entry = pollfd(fd: descriptor, events: direction.events, revents: 0)
            let milliseconds = Int32(clamping: remaining.components.seconds * 1000 + 1)
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return true }  // the next read or write reports the error
        }
    }
}
