import Foundation
import Synchronization

/// One dedicated, named thread that owns a blocking resource (a C library's connection, a file descriptor, a
/// cron's connections), and the state that callers share with that thread.
///
/// The thread's phase (`ThreadPhase`), the callers waiting for it to stop, and the component's `Shared` state sit
/// under one condition lock (`ConditionBox`), so a caller can check that the thread still takes work and queue it
/// in one step, and the thread can sleep until there is work, a stop request or a deadline (`wait`).
///
/// Life: `start(name:body:)` spawns the thread, which runs `body` once; `requestStop()` asks it to stop (the
/// body sees `isStopping` and returns once it finished what it accepted); when the body returns the phase
/// becomes `stopped` and every `waitUntilStopped()` caller resumes. Continuations are resumed after unlocking;
/// the only code run under the lock is the closure given to `withLock`, `update`, `wait` or
/// `requestStop(ifNeverStarted:)`, which must be short and must not call back into the owner.
///
/// The resource itself is not in `Shared`: the body creates it on the thread and keeps it there. Methods that
/// touch it call `assertOnOwnerThread()` (checked in debug builds).
public final class ThreadOwner<Shared: Sendable>: Sendable {
    private let box: ConditionBox<State>
    /// The thread while its body runs; apart from `box` so that the check never takes the condition lock.
    private let ownerThread = Mutex<pthread_t?>(nil)

    public init(_ shared: Shared) {
        box = ConditionBox(State(shared: shared))
    }

    /// The current phase (it may change as soon as the lock is released).
    public var phase: ThreadPhase {
        box.withLock { $0.phase }
    }

    /// Spawns the thread named `name` (at most 15 bytes, as `ps` and debuggers show it), which runs `body` and
    /// then moves the phase to `stopped`. Only the first call in `created` spawns it; it returns false (and does
    /// nothing) after an earlier `start` or `requestStop`.
    @discardableResult
    public func start(name: String, body: @escaping @Sendable () -> Void) -> Bool {
        precondition(name.utf8.count <= 15, "thread names are limited to 15 bytes")
        let starts = box.update { state -> Bool in
            guard state.phase == .created else { return false }
            state.phase = .running
            return true
        }
        guard starts else { return false }
        let thread = Thread { [self] in
            nameCurrentThread(name)
            ownerThread.withLock { $0 = pthread_self() }
            body()
            ownerThread.withLock { $0 = nil }
            finish()
        }
        thread.start()
        return true
    }

    /// Asks the thread to stop: `running` becomes `stopping` (the body sees `isStopping`), `created` becomes
    /// `stopped` at once; later calls do nothing. Returns at once.
    public func requestStop() {
        _ = requestStop(ifNeverStarted: { _ in })
    }

    /// `requestStop()`; when the thread never started (`created` becomes `stopped`), also runs `body` under the
    /// lock in the same step and returns its result, so the caller can take out the work queued for a thread
    /// that will never serve it (and answer it after unlocking). Returns nil in every other phase.
    public func requestStop<R>(ifNeverStarted body: (inout State) -> R) -> R? {
        let (result, stoppedNow) = box.update { state -> (R?, Bool) in
            switch state.phase {
            case .created:
                state.phase = .stopped
                return (body(&state), true)
            case .running:
                state.phase = .stopping
                return (nil, false)
            case .stopping, .stopped:
                return (nil, false)
            }
        }
        if stoppedNow { finish() }
        return result
    }

    /// Returns once the phase is `stopped`: the thread's body has returned, or the thread never started and a
    /// stop was requested. Waits for a stop request if none was made. A cancelled task stops waiting at once (a
    /// service cancelled at its drain deadline); the thread goes on until its body returns.
    public func waitUntilStopped() async {
        let id = box.withLock { state -> UInt64 in
            state.nextStopWaiter += 1
            return state.nextStopWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let proceed = box.withLock { state -> Bool in
                    guard state.phase == .stopped || Task.isCancelled else {
                        state.stopWaiters[id] = continuation
                        return false
                    }
                    return true
                }
                if proceed { continuation.resume() }
            }
        } onCancel: {
            let waiter = box.withLock { $0.stopWaiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }

    /// Runs `body` under the lock.
    public func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        try box.withLock(body)
    }

    /// Like `withLock`, then wakes every thread sleeping in `wait`.
    public func update<R>(_ body: (inout State) throws -> R) rethrows -> R {
        try box.update(body)
    }

    /// Sleeps until `ready(state)` holds or `deadline` passes, then runs `body` under the lock. A stop request
    /// wakes the sleeper, so `ready` usually includes `isStopping`.
    public func wait<R>(
        until deadline: ContinuousClock.Instant,
        for ready: (State) -> Bool,
        then body: (inout State) -> R
    ) -> R {
        box.wait(until: deadline, for: ready, then: body)
    }

    /// True when called on the thread while it runs its body.
    public var isOnOwnerThread: Bool {
        ownerThread.withLock { owner in
            guard let owner else { return false }
            return pthread_equal(owner, pthread_self()) != 0
        }
    }

    /// Checks, in debug builds only, that the caller is the owner's thread: call it at the top of methods that
    /// touch the resource the thread owns.
    public func assertOnOwnerThread(file: StaticString = #fileID, line: UInt = #line) {
        assert(isOnOwnerThread, "only the owning thread may touch this resource", file: file, line: line)
    }

    /// The phase became `stopped`: resumes the `waitUntilStopped` callers after unlocking.
    private func finish() {
        let waiters = box.update { state -> [CheckedContinuation<Void, Never>] in
            state.phase = .stopped
            defer { state.stopWaiters.removeAll() }
            return Array(state.stopWaiters.values)
        }
        for waiter in waiters {
            waiter.resume()
        }
    }
}
