public import EventCore

/// The calls accepted by `dispatch`, each as its parts per routing key, waiting to be published.
public typealias PublishQueue = BatchQueue<[CallPart], DurablePublisher.Outcome>

/// `EVENT_WORKER_POOL_SIZE` workers publishing rounds from the queue with confirms (or spooling them, see
/// `DurablePublisher`).
///
/// Natural batching (group commit): a worker takes every call queued while it was busy (up to `RoundLimits`) and
/// publishes them as one message per routing key; an idle worker takes a lone call at once, so nothing waits for
/// a timer. Every call of a round gets the round's outcome: SUCCESS only when every message holding its events
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
                    while true {
                        let round = await queue.nextRound(maxEvents: limits.maxEvents, maxBytes: limits.maxBytes)
                        guard !round.isEmpty else { return }
                        await publish(round)
                    }
                }
            }
        }
    }

    private func publish(_ round: [PublishQueue.Item]) async {
        let started = ContinuousClock.now
        let messages = RoundMessages.make(round.map(\.work), exchange: exchange)
        metrics.roundCalls.observe(Double(round.count))
        let result: Result<DurablePublisher.Outcome, any Error>
        do {
            let outcome = try await publisher.publish(messages)
            if outcome == .confirmed { metrics.messagesConfirmed.increment(by: messages.count) }
            result = .success(outcome)
        } catch {
            result = .failure(error)
        }
        metrics.publishSeconds.observe(ContinuousClock.now - started)
        for item in round { item.finish(result) }
    }

    public func shutdown() {
        queue.shutdown()
    }
}
