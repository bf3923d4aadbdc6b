import AMQPClient
import ClickHouseClient
import EventCore

/// Writing a batch: one insert of the whole batch, and when ClickHouse refuses it while healthy, the search for
/// the messages it refuses (`PoisonSearch`).
extension BufferedSink {
    /// One insert of the whole batch: its settlements on success; none on failure, with the rows kept and `wait`
    /// saying what happens next.
    func flush() -> [Settlement] {
        let checkBefore = breaker.health.startedChecks
        do {
            try writer.insert(rows, rowCount: rowCount)
        } catch {
            failed(error, checkBefore: checkBefore)
            return []
        }
        let settled = held.map(written)
        reset()
        return settled
    }

    /// A refusal or a timeout waits for the health check's verdict; anything else is an outage.
    private func failed(_ error: any Error, checkBefore: UInt64) {
        var metadata: Logger.Metadata = ["batch.messages": .int(held.count), "batch.rows": .int(rowCount)]
        metadata.merge(.error(error)) { $1 }
        if let error = error as? SinkError, error.code == .insertRefused || error.isTimeout {
            wait = .verdict(afterCheck: checkBefore, error: error)
            logger.warning(
                "batch insert refused or timed out; the next health check tells an outage from bad rows",
                metadata
            )
            return
        }
        outage()
        logger.warning("batch insert failed; rows kept for a retry", metadata)
    }

    private func outage() {
        wait = .retry(at: now() + settings.retryDelay)
        timeouts = 0
    }

    /// The health check that started after the failed insert has spoken: an outage keeps the rows for a retry; a
    /// refusal with the database healthy is searched; a timeout with the database healthy is retried whole until
    /// `timeoutsBeforeRefusal` of them, then searched as a refusal.
    func judge(_ error: SinkError, healthy: Bool) -> [Settlement] {
        guard healthy else {
            outage()
            logger.warning("the failed batch insert was an outage (database unhealthy); rows kept for a retry")
            return []
        }
        guard error.isTimeout else { return isolate(error, timeoutsAreRefusals: false) }
        router.metrics.timeoutsWhileHealthy.increment()
        timeouts += 1
        guard timeouts >= settings.timeoutsBeforeRefusal else {
            wait = .retry(at: now() + settings.retryDelay)
            logger.warning(
                "batch insert timed out while the database answered its health checks; the batch is retried whole",
                ["timeouts.count": "\(timeouts)", "timeouts.limit": "\(settings.timeoutsBeforeRefusal)"]
            )
            return []
        }
        return isolate(error, timeoutsAreRefusals: true)
    }

    /// Splits the refused batch until the refused messages are found: those are routed like a direct sink's
    /// refused message, the others written and settled; an outage in the middle keeps what is not settled yet.
    private func isolate(_ refusal: SinkError, timeoutsAreRefusals: Bool) -> [Settlement] {
        let batch = held
        router.metrics.batchSplits.increment()
        let search = PoisonSearch(count: batch.count, refusal: refusal) { range in
            self.attempt(batch[range], timeoutsAreRefusals: timeoutsAreRefusals)
        }
        var settled = search.written.flatMap { batch[$0].map(written) }
        for (index, error) in search.refused {
            let reason =
                error.isTimeout
                ? "insert timed out while the database was healthy (its batch timed out "
                    + "\(settings.timeoutsBeforeRefusal) times in a row first): \(error.message)"
                : error.deadLetterReason
            let disposition = router.route(batch[index].delivery, .insert, reason: reason)
            settled.append(Settlement(deliveryTag: batch[index].delivery.deliveryTag, disposition: disposition))
        }
        let untried = search.untried.flatMap { batch[$0] }
        var metadata: Logger.Metadata = [
            "batch.messages": .int(batch.count),
            "search.written": .int(batch.count - search.refused.count - untried.count),
            "search.refused": .int(search.refused.count), "search.kept": .int(untried.count),
            "search.inserts": "\(search.inserts)",
        ]
        if let interruption = search.interruption { metadata.merge(.error(interruption)) { $1 } }
        logger.notice("refused batch split to find the refused messages", metadata)
        keep(untried)
        return settled
    }

    /// One insert of consecutive messages of the batch, for the search.
    private func attempt(_ messages: ArraySlice<Held>, timeoutsAreRefusals: Bool) -> PoisonSearch.Outcome {
        guard let first = messages.first, let last = messages.last else { return .written }
        let count = messages.reduce(0) { $0.addingReportingOverflow($1.rowCount).partialValue }
        do {
            try writer.insert(Array(rows[first.span.lowerBound..<last.span.upperBound]), rowCount: count)
            return .written
        } catch let error as SinkError where error.code == .insertRefused {
            return .refused(error)
        } catch let error as SinkError where timeoutsAreRefusals && error.isTimeout && breaker.health.status.isHealthy {
            return .refused(error)
        } catch {
            return .interrupted(error)
        }
    }

    /// The settlement of a message whose rows are written (counting the dead-letter copy of its refused events).
    private func written(_ message: Held) -> Settlement {
        if message.written != .ack { router.metrics.deadLettered(.badRow) }
        return Settlement(deliveryTag: message.delivery.deliveryTag, disposition: message.written)
    }

    /// Makes `messages` the batch, their rows copied out of the old one; retried after `retryDelay`.
    private func keep(_ messages: [Held]) {
        var kept: [Held] = []
        var keptRows: [UInt8] = []
        for var message in messages {
            let start = keptRows.count
            keptRows.append(contentsOf: rows[message.span])
            message.span = start..<keptRows.count
            kept.append(message)
        }
        reset()
        guard !kept.isEmpty else { return }
        held = kept
        rows = keptRows
        rowCount = kept.reduce(0) { $0 + $1.rowCount }
        heldBytes = kept.reduce(0) { $0 + $1.bytes }
        firstRowAt = now()
        wait = .retry(at: now() + settings.retryDelay)
    }
}
