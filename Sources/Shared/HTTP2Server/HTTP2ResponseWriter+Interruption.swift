import Synchronization

extension HTTP2ResponseWriter {
    /// Waits until the stream closes or the server starts draining; nil when the waiting task is cancelled first.
    /// Returns at once when that already happened.
    public func interruption() async -> HTTP2StreamInterruption? {
        let id = state.withLock { state -> Int in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> HTTP2StreamInterruption?? in
                    if let interruption = state.interruption { return .some(interruption) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
    }

    /// Called by the connection thread: the stream closed (later parts are dropped) or the server is draining.
    func interrupt(_ reason: HTTP2StreamInterruption) {
        let waiters = state.withLock { state -> [CheckedContinuation<HTTP2StreamInterruption?, Never>] in
            if reason == .closed { state.phase = .ended }
            guard state.interruption != .closed else { return [] }
            state.interruption = reason
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: reason) }
    }
}
