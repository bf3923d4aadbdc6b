import EventCore
import Foundation

extension SpoolWriter {
    /// Creates the next segment file and makes its directory entry durable.
    func openSegment() throws(SpoolError) {
        owner.assertOnOwnerThread()
        let id = owner.update { state -> UInt64 in
            defer { state.nextSegmentID += 1 }
            return state.nextSegmentID
        }
        let path = spool.path(of: id)
        let descriptor = try SpoolFileOps.openForAppend(path, create: true)
        do {
            try SpoolFileOps.syncDirectory(configuration.directory)
        } catch {
            close(descriptor)
            throw error
        }
        owner.update { $0.segments.append(SpoolSegment(id: id, bytes: 0, sealed: false)) }
        active = Active(id: id, descriptor: descriptor, bytes: 0)
        spool.logger.debug("spool segment created", ["spool.segment": "\(SpoolSegment.fileName(id))"])
    }

    /// Writes the pending group with one write and one fsync, then records the outcome of each of its appends.
    func flush() {
        owner.assertOnOwnerThread()
        guard var current = active, !groupWaiters.isEmpty else { return }
        let waiters = groupWaiters
        let bytes = groupBytes
        let firstMillis = groupFirstMillis
        groupFirstMillis = nil
        groupWaiters.removeAll()
        groupBytes.removeAll(keepingCapacity: true)
        let path = spool.path(of: current.id)
        do {
            try SpoolFileOps.writeAll(current.descriptor, bytes, path: path)
            configuration.beforeSync?(waiters.count)
            try SpoolFileOps.sync(current.descriptor, path: path)
        } catch {
            spool.metrics.appendsRefused.increment(by: waiters.count)
            spool.logger.error(
                "spool write failed; sealing the segment",
                Logger.Metadata.error(error).merging(
                    ["spool.segment": "\(SpoolSegment.fileName(current.id))", "spool.batches": .int(waiters.count)]
                ) { $1 }
            )
            if ftruncate(current.descriptor, off_t(current.bytes)) != 0 {
                spool.logger.error(
                    "cannot cut the failed write off; the replayer reads only the durable bytes",
                    .error(SpoolFileOps.failure("ftruncate", path))
                )
            }
            outcomes += waiters.map { ($0, error) }
            sealActive()
            return
        }
        current.bytes += bytes.count
        active = current
        owner.update { state in
            if let index = state.segments.firstIndex(where: { $0.id == current.id }) {
                state.segments[index].bytes = current.bytes
                state.segments[index].oldestMillis = state.segments[index].oldestMillis ?? firstMillis
            }
        }
        spool.metrics.syncs.increment()
        spool.metrics.batchesAppended.increment(by: waiters.count)
        spool.publishStatus()
        outcomes += waiters.map { ($0, nil) }
    }

    /// Closes the active segment; an empty one is removed, one with records waits for the replayer.
    func sealActive() {
        owner.assertOnOwnerThread()
        guard let current = active else { return }
        active = nil
        close(current.descriptor)
        let empty = owner.update { state -> Bool in
            guard let index = state.segments.firstIndex(where: { $0.id == current.id }) else { return false }
            state.segments[index].sealed = true
            guard state.segments[index].bytes == 0 else { return false }
            state.segments.remove(at: index)
            return true
        }
        if empty {
            do {
                try SpoolFileOps.remove(spool.path(of: current.id))
            } catch {
                spool.logger.warning("cannot remove an empty spool segment; it is skipped", .error(error))
            }
        }
        spool.publishStatus()
    }
}
