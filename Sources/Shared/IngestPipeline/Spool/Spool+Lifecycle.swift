import EventCore
import Foundation

extension Spool {
    /// Spawns the writer thread. Appends made before `start` wait for it.
    public func start() {
        owner.start(name: "spool-writer") { [self] in
            SpoolWriter(spool: self).run()
        }
    }

    /// Stops taking appends; the writer finishes those already queued, closes its segment and exits.
    public func shutdown() {
        let neverStarted = owner.requestStop(ifNeverStarted: { state in
            defer { state.pending.removeAll() }
            return state.pending
        })
        guard let neverStarted else { return }
        close(lockDescriptor)
        for command in neverStarted {
            command.fail(SpoolError(code: .closed, message: "the spool was shut down before it started"))
        }
    }

    /// Returns once the writer thread has exited after `shutdown()`.
    public func waitUntilStopped() async {
        await owner.waitUntilStopped()
    }
}
