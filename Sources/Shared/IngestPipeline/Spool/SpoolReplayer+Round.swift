import AMQPClient
import EventCore

extension SpoolReplayer {
    /// Publishes the records of `segment` after `cursor`, round by round, then deletes the segment.
    func replay(_ segment: SpoolSegment, cursor: inout ReplayCursor?) async throws {
        let (bytes, records) = try spool.records(in: segment)
        let start = cursor?.segment == segment.id ? cursor?.offset ?? 0 : 0
        var pending = records.drop(while: { $0.end <= start })[...]
        while !pending.isEmpty {
            guard !isStopping else { return }
            var messages: [OutgoingMessage] = []
            var taken = 0
            for record in pending {
                guard taken == 0 || messages.count < maxMessagesPerRound else { break }
                messages += try SpoolBatchCodec.decode(bytes[record.payload])
                taken += 1
            }
            let round = pending.prefix(taken)
            try await publish(messages)
            pending = pending.dropFirst(taken)
            metrics.replayedMessages.increment(by: messages.count)
            metrics.replayedBatches.increment(by: taken)
            if let last = round.last {
                cursor = ReplayCursor(segment: segment.id, offset: last.end)
                save(cursor)
            }
        }
        try spool.removeSegment(segment.id)
        cursor = ReplayCursor(segment: segment.id + 1, offset: 0)
        save(cursor)
        logger.info(
            "spool segment replayed and deleted",
            ["spool.segment": "\(SpoolSegment.fileName(segment.id))", "spool.records": .int(records.count)]
        )
    }

    /// Counts and logs a failed round, quarantines an undecodable segment, and waits before the next try.
    func failed(_ error: any Error, segment: SpoolSegment, attempt: Int) async {
        metrics.replayFailures.increment()
        if let spoolError = error as? SpoolError, spoolError.code == .corruptRecord {
            logger.error(
                "spool segment does not decode; quarantining it",
                Logger.Metadata.error(error).merging(["spool.segment": "\(SpoolSegment.fileName(segment.id))"]) { $1 }
            )
            do {
                try spool.quarantineSegment(segment.id)
                return
            } catch {
                logger.error("cannot quarantine the spool segment", .error(error))
            }
        }
        let delay = min(retryDelays.max, retryDelays.first * (1 << min(attempt - 1, 16)))
        var metadata = Logger.Metadata.error(error)
        metadata["spool.retry_in_seconds"] = .seconds(delay)
        metadata["spool.attempt"] = .int(attempt)
        logger.warning("spool replay round failed; retrying from the last confirmed record", metadata)
        await pause(delay)
    }

    private func save(_ cursor: ReplayCursor?) {
        guard let cursor else { return }
        do {
            try spool.saveCursor(cursor)
        } catch {
            logger.warning("cannot save the replay cursor; a restart may republish confirmed records", .error(error))
        }
    }

    /// Sleeps up to `duration`, waking early when `shutdown()` is called.
    func pause(_ duration: Duration) async {
        let deadline = ContinuousClock.now + duration
        while !isStopping, ContinuousClock.now < deadline {
            let step = min(pollInterval, deadline - ContinuousClock.now)
            do {
                try await Task.sleep(for: step)
            } catch {
                return
            }
        }
    }
}
