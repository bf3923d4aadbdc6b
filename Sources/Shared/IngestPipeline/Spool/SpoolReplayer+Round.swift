import AMQPClient
import EventCore

extension SpoolReplayer {
    /// Publishes the valid records of `segment` after `cursor`, round by round, then deletes the segment.
    func replay(_ segment: SpoolSegment, cursor: inout ReplayCursor?) async throws {
        let (bytes, records) = try spool.records(in: segment)
        let start = cursor?.segment == segment.id ? cursor?.offset ?? 0 : 0
        var pending = records.drop(while: { $0.end <= start })[...]
        while !pending.isEmpty {
            guard !isStopping else { return }
            var batches: [SpoolBatch] = []
            var undecodable: [[UInt8]] = []
            var messageCount = 0
            var taken = 0
            for record in pending {
                guard taken == 0 || messageCount < maxMessagesPerRound else { break }
                taken += 1
                do {
                    let batch = try SpoolBatchCodec.decode(bytes[record.payload])
                    batches.append(batch)
                    messageCount += batch.messages.count
                } catch {
                    undecodable.append(Array(bytes[record.payload]))
                }
            }
            let round = pending.prefix(taken)
            let first = round.first?.start ?? 0
            let refused = try await publishRound(batches)
            try setAside(refused, undecodable: undecodable, segment: segment.id, offset: first)
            pending = pending.dropFirst(taken)
            let sent = messageCount - refused.reduce(0) { $0 + $1.messages.count }
            metrics.replayedMessages.increment(by: sent)
            metrics.replayedBatches.increment(by: batches.count)
            if let last = round.last {
                cursor = ReplayCursor(segment: segment.id, offset: last.end)
                save(cursor)
            }
            // A version 1 record kept no time: its file's last write stands in (an age on the young side).
            let next = pending.first.map { SpoolRecovery.spooledAtMillis(bytes[$0.payload]) }
            spool.setOldest(segment.id, millis: next.map { $0 ?? spool.modificationMillis(of: segment.id) })
        }
        try spool.removeSegment(segment.id)
        cursor = ReplayCursor(segment: segment.id + 1, offset: 0)
        save(cursor)
        logger.info(
            "spool segment replayed and deleted",
            ["spool.segment": "\(SpoolSegment.fileName(segment.id))", "spool.records": .int(records.count)]
        )
    }

    /// Counts and logs a failed round and waits before the next try.
    func failed(_ error: any Error, segment: SpoolSegment, attempt: Int) async {
        metrics.replayFailures.increment()
        let delay = min(retryDelays.max, retryDelays.first * (1 << min(attempt - 1, 16)))
        var metadata = Logger.Metadata.error(error)
        metadata["spool.retry_in_seconds"] = .seconds(delay)
        metadata["spool.attempt"] = .int(attempt)
        metadata["spool.segment"] = "\(SpoolSegment.fileName(segment.id))"
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
