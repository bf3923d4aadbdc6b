extension ThreadOwner {
    /// What `withLock`, `update`, `wait` and `requestStop(ifNeverStarted:)` hand to their closures, under the
    /// owner's lock: the component's `Shared` state, whose members read and write through this view
    /// (`state.queue.append(request)` mutates `shared.queue` in place), and the owner's phase, read-only.
    @dynamicMemberLookup
    public struct State: Sendable {
        /// The component's own state.
        public var shared: Shared
        /// Changed only by the owner (`start`, `requestStop`, the thread's exit).
        public internal(set) var phase = ThreadPhase.created
        /// `waitUntilStopped` callers, resumed (after unlocking) when the phase becomes `stopped`.
        /// Keyed so that a cancelled waiter can withdraw.
        var stopWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextStopWaiter: UInt64 = 0

        init(shared: Shared) {
            self.shared = shared
        }

        /// True once a stop was requested of the running thread: it should finish what it accepted and return.
        public var isStopping: Bool { phase == .stopping }

        /// True while the thread will still serve work queued now (`created` or `running`).
        public var acceptsWork: Bool { phase == .created || phase == .running }

        public subscript<Value>(dynamicMember keyPath: KeyPath<Shared, Value>) -> Value {
            shared[keyPath: keyPath]
        }

        public subscript<Value>(dynamicMember keyPath: WritableKeyPath<Shared, Value>) -> Value {
            get { shared[keyPath: keyPath] }
            // In place, so that appending to a shared array does not copy it.
            _modify { yield &shared[keyPath: keyPath] }
        }
    }
}
