/// Where a `ThreadOwner`'s thread is in its life. Phases only move forward: `created` → `running` → `stopping`
/// → `stopped`, or `created` → `stopped` when a stop is requested before the thread was started.
public enum ThreadPhase: Sendable, Equatable {
    /// `start` was not called yet and no stop was requested: work queued now waits for the thread. `start` moves
    /// to `running`; `requestStop` moves straight to `stopped` (the thread never runs, so whoever requested the
    /// stop answers the queued work itself).
    case created
    /// The thread was spawned and serves work. `requestStop` moves to `stopping`; the body returning (for any
    /// reason) moves to `stopped`.
    case running
    /// A stop was requested while running: no new work is taken, the thread finishes what it accepted, then its
    /// body returns, which moves to `stopped`.
    case stopping
    /// Final. The thread's body has returned (or the thread never started); every `waitUntilStopped` caller was
    /// resumed or is resumed at once.
    case stopped
}
