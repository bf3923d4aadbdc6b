public import AMQPClient
public import EventCore
import Synchronization

/// Republishes spooled batches, oldest segment first and in record order, whenever the broker is reachable.
///
/// Records go out in rounds (up to `maxMessagesPerRound` messages in one publish call, so the broker confirms
/// many at once); after each confirmed round the progress (`ReplayCursor`) is saved, and a segment is deleted
/// only when every record in it was confirmed or set aside. A restarted gateway resumes at the cursor; a round
/// confirmed but not yet recorded is published again (at-least-once; the sinks deduplicate by event id). A round
/// that fails (broker unreachable, connection lost) is retried from the cursor after a growing delay (1 s
/// doubling to 30 s). Damage in a segment is skipped record by record (`SpoolDamage`); messages the broker
/// refuses (nack, return) and records that do not decode are set aside in `SPOOL_DIR/set-aside/`
/// (`SpoolSetAside`) and the replay goes on.
///
/// New batches do not wait for the replay: while the replayer drains, the gateway publishes fresh batches
/// directly, so across batches the broker may see newer events before older spooled ones.
public final class SpoolReplayer: Sendable {
    public typealias Publish = @Sendable ([OutgoingMessage]) async throws -> Void

    let spool: Spool
    let publish: Publish
    let isReady: @Sendable () -> Bool
    let metrics: SpoolMetrics
    let logger: Logger
    let maxMessagesPerRound: Int
    let pollInterval: Duration
    let retryDelays: (first: Duration, max: Duration)
    let stopping = Atomic<Bool>(false)

    /// `publish` must return only once the broker confirmed every message; `isReady` says whether it is worth
    /// trying (the broker connection is up).
    public init(
        spool: Spool,
        metrics: SpoolMetrics,
        logger: Logger,
        maxMessagesPerRound: Int = 500,
        pollInterval: Duration = .milliseconds(200),
        firstRetryDelay: Duration = .seconds(1),
        maxRetryDelay: Duration = .seconds(30),
        isReady: @escaping @Sendable () -> Bool,
        publish: @escaping Publish
    ) {
        self.spool = spool
        self.metrics = metrics
        self.logger = logger.with(["component": "spool-replayer"])
        self.maxMessagesPerRound = maxMessagesPerRound
        self.pollInterval = pollInterval
        retryDelays = (firstRetryDelay, maxRetryDelay)
        self.isReady = isReady
        self.publish = publish
    }

    /// Stops after the round in flight; what remains is replayed by the next run (or the next process).
    public func shutdown() {
        stopping.store(true, ordering: .relaxed)
    }

    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// Runs until `shutdown()`, or until its task is cancelled (the drain deadline passed; what is left stays in
    /// the spool for the next start).
    public func run() async {
        var cursor = loadCursor()
        var failures = 0
        var draining = false
        while !isStopping && !Task.isCancelled {
            guard let segment = spool.oldestSegment(), isReady() else {
                if draining && spool.status.isEmpty {
                    draining = false
                    logger.notice("spool drained: every spooled batch was confirmed by the broker")
                }
                await pause(pollInterval)
                continue
            }
            if !draining {
                draining = true
                let status = spool.status
                logger.notice(
                    "replaying the spool to the broker",
                    ["spool.bytes": .integer(status.bytes), "spool.segments": .integer(status.segments)]
                )
            }
            do {
                if segment.sealed {
                    try await replay(segment, cursor: &cursor)
                } else {
                    try await spool.seal()
                }
                failures = 0
            } catch {
                failures += 1
                await failed(error, segment: segment, attempt: failures)
            }
        }
    }

    private func loadCursor() -> ReplayCursor? {
        do {
            return try spool.loadCursor()
        } catch {
            logger.warning("cannot read the replay cursor; replaying from the oldest segment's start", .error(error))
            return nil
        }
    }
}
