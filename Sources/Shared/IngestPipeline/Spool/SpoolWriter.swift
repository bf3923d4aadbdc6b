import EventCore
import Foundation

/// The writer thread's body: owns the active segment's file descriptor and commits appends in groups.
/// Created and used only on that thread.
final class SpoolWriter {
    struct Active {
        var id: UInt64
        var descriptor: Int32
        /// Durable bytes in the file.
        var bytes: Int
    }

    let spool: Spool
    var active: Active?
    /// Framed records for the active segment, not yet written.
    var groupBytes: [UInt8] = []
    var groupWaiters: [CheckedContinuation<Void, any Error>] = []
    /// When the first record of the pending group was spooled.
    var groupFirstMillis: UInt64?
    /// Calls to resume once the current commands are done (after unlocking).
    var outcomes: [(CheckedContinuation<Void, any Error>, SpoolError?)] = []

    init(spool: Spool) {
        self.spool = spool
    }

    var owner: ThreadOwner<SpoolShared> { spool.owner }
    var configuration: SpoolConfiguration { spool.configuration }

    func run() {
        owner.assertOnOwnerThread()
        while true {
            let (commands, stopping) = owner.wait(
                until: .now + .seconds(60),
                for: { !$0.pending.isEmpty || $0.isStopping },
                then: { state in
                    defer { state.pending.removeAll() }
                    return (state.pending, state.isStopping)
                }
            )
            if commands.isEmpty && stopping { break }
            process(commands)
        }
        sealActive()
        close(spool.lockDescriptor)
        spool.logger.info("spool writer stopped")
    }

    private func process(_ commands: [SpoolCommand]) {
        owner.assertOnOwnerThread()
        for command in commands {
            switch command {
            case .seal(let continuation):
                flush()
                sealActive()
                outcomes.append((continuation, nil))
            case .append(let record, let spooledAtMillis, let continuation):
                if let refusal = admit(record.count) {
                    spool.metrics.appendsRefused.increment()
                    outcomes.append((continuation, refusal))
                    continue
                }
                if needsNewSegment(for: record.count) {
                    flush()
                    sealActive()
                    do {
                        try openSegment()
                    } catch {
                        spool.metrics.appendsRefused.increment()
                        spool.logger.error("cannot create a spool segment", .error(error))
                        outcomes.append((continuation, error))
                        continue
                    }
                }
                groupBytes += record
                groupWaiters.append(continuation)
                groupFirstMillis = groupFirstMillis ?? spooledAtMillis
            }
        }
        flush()
        let finished = outcomes
        outcomes.removeAll()
        for (continuation, error) in finished {
            if let error {
                continuation.resume(throwing: error)
            } else {
                continuation.resume()
            }
        }
    }

    /// Nil when a record of `size` bytes fits under `maxBytes`, else the `full` error.
    private func admit(_ size: Int) -> SpoolError? {
        let total = owner.withLock { $0.totalBytes } + groupBytes.count
        guard total + size > configuration.maxBytes else { return nil }
        return SpoolError(
            code: .full,
            message: "the spool holds \(total) bytes and SPOOL_MAX_BYTES is \(configuration.maxBytes); it takes "
                + "batches again as the replayer drains it to the broker"
        )
    }

    private func needsNewSegment(for size: Int) -> Bool {
        guard let active else { return true }
        let pending = active.bytes + groupBytes.count
        return pending > 0 && pending + size > configuration.segmentBytes
    }
}
