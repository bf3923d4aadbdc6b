import AMQPClient
public import EventCore

/// The calls accepted by `dispatch`, each as its parts per routing key, waiting to be published.
public typealias PublishQueue = BatchQueue<[CallPart], DurablePublisher.Outcome>

/// `EVENT_WORKER_POOL_SIZE` workers publishing rounds from the queue with confirms (or spooling them, see
/// `DurablePublisher`).
///
/// Natural batching (group commit): a worker takes every call queued while it was busy (up to `RoundLimits`) and
/// publishes them as one message per routing key; an idle worker takes a lone call at once. Under load
/// (`RoundPacer`) a round waits until `PUBLISH_ROUND_INTERVAL` has passed since the previous one started, or until
/// it is full (its event or byte cap, `holdCalls` calls, a full queue, shutdown), whichever comes first: the wait
/// is a race of the queue's fill continuation against a timer (`withDeadline`), and the loser is cancelled when
/// the round goes. Every call of a round gets the round's outcome: SUCCESS only when every message holding its events
/// is confirmed or spooled, and a nack or return of a shared message fails every call in it (they retry with
/// the same event ids). A worker never dies with a round: every error goes back to the waiting calls. On
/// shutdown the queue refuses new calls and the workers drain what it holds before returning.
public struct PublishingWorkers: Service {
    public let name = "publishing-workers"
    let queue: PublishQueue
    let publisher: DurablePublisher
    let count: Int
    let exchange: String
    let limits: RoundLimits
    let metrics: PublishingMetrics

    public init(
        queue: PublishQueue,
        publisher: DurablePublisher,
        count: Int,
        exchange: String,
        limits: RoundLimits,
        metrics: PublishingMetrics
    ) {
        self.queue = queue
        self.publisher = publisher
        self.count = count
        self.exchange = exchange
        self.limits = limits
        self.metrics = metrics
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<count {
                group.addTask {
                    var pacer = RoundPacer(interval: limits.interval)
                    while let first = await queue.next() {
                        let start = await hold(first, pacer: pacer)
                        let round = queue.round(
                            startingWith: first,
                            maxEvents: limits.maxEvents,
                            maxBytes: limits.maxBytes
                        )
                        pacer.started(at: .now, calls: round.count)
                        metrics.rounds(start).increment()
                        let (messages, replies) = split(consume round)
                        await publish(messages, answering: replies)
                    }
                }
            }
        }
    }

    /// Waits, when the pacer says the publisher is under load, until the interval since the previous round ends or
    /// the round that starts with `first` fills; returns how the round starts.
    private func hold(_ first: PublishQueue.Item, pacer: RoundPacer) async -> RoundStart {
        let now = ContinuousClock.now
        guard let until = pacer.holdUntil(now: now) else { return .atOnce }
        let (queue, limits) = (queue, limits)
        do {
            // A hold the timer ended but that still saw the round fill before it was withdrawn returns true.
            let filled = try await withDeadline(until - now) {
                await queue.waitUntilRoundFills(
                    after: first,
                    maxEvents: limits.maxEvents,
                    maxBytes: limits.maxBytes,
                    calls: limits.holdCalls
                )
            }
            return filled ? .filled : .afterInterval
        } catch is DeadlineExceeded {
            return .afterInterval
        } catch {
            // Only the timer throws anything else (CancellationError: the worker's task is cancelled, which only
            // happens when the service group stops): the round goes at once, as it would have without a hold.
            return .cancelled
        }
    }

    /// The round's broker messages and the calls to answer: the calls' own parts are dropped here, so a round in
    /// flight holds its bytes once (in its messages, kept until confirmed or spooled), not twice.
    private func split(
        _ round: consuming [PublishQueue.Item]
    ) -> ([OutgoingMessage], [Reply<DurablePublisher.Outcome>]) {
        metrics.roundCalls.observe(Double(round.count))
        return (RoundMessages.make(round.map(\.work), exchange: exchange), round.map(\.reply))
    }

    private func publish(_ messages: [OutgoingMessage], answering replies: [Reply<DurablePublisher.Outcome>]) async {
        let started = ContinuousClock.now
        let result: Result<DurablePublisher.Outcome, any Error>
        do {
            let outcome = try await publisher.publish(messages)
            if outcome == .confirmed { metrics.messagesConfirmed.increment(by: messages.count) }
            result = .success(outcome)
        } catch {
            result = .failure(error)
        }
        metrics.publishSeconds.observe(ContinuousClock.now - started)
        for reply in replies { reply.resolve(result) }
    }

    public func shutdown() {
        queue.shutdown()
    }
}
