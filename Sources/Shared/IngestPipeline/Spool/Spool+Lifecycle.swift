import EventCore
import Foundation

extension Spool {
    /// Spawns the writer thread. Appends made before `start` wait for it.
    public func start() {
        let shouldStart = shared.update { state -> Bool in
            guard state.phase == .created else { return false }
            state.phase = .running
            return true
        }
        guard shouldStart else { return }
        let thread = Thread { [self] in
            nameCurrentThread("spool-writer")
            SpoolWriter(spool: self).run()
        }
        thread.start()
    }

    /// Stops taking appends; the writer finishes those already queued, closes its segment and exits.
    public func shutdown() {
        let neverStarted = shared.update { state -> [SpoolCommand]? in
            switch state.phase {
            case .created:
                state.phase = .stopped
                defer { state.pending.removeAll() }
                return state.pending
            case .running:
                state.phase = .stopping
                return nil
            case .stopping, .stopped:
                return nil
            }
        }
        guard let neverStarted else { return }
        close(lockDescriptor)
        for command in neverStarted {
            command.fail(SpoolError(code: .closed, message: "the spool was shut down before it started"))
        }
    }

    /// Returns once the writer thread has exited after `shutdown()`.
    public func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let stopped = shared.withLock { state -> Bool in
                guard state.phase == .stopped else {
                    state.stopWaiters.append(continuation)
                    return false
                }
                return true
            }
            if stopped { continuation.resume() }
        }
    }
}
