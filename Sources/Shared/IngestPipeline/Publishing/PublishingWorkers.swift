public import AMQPClient
public import EventCore

/// The batches accepted by `dispatch`, waiting to be published.
public typealias PublishQueue = BatchQueue<[OutgoingMessage], DurablePublisher.Outcome>

/// `EVENT_WORKER_POOL_SIZE` workers taking batches from the queue and publishing them with confirms (or spooling
/// them, see `DurablePublisher`). A worker
/// never dies with a batch: every error goes back to the waiting call. On shutdown the queue refuses new batches and
/// the workers drain what it holds before returning.
public struct PublishingWorkers: Service {
    public let name = "publishing-workers"
    let queue: PublishQueue
    let publisher: DurablePublisher
    let count: Int
    let metrics: PublishingMetrics

    public init(queue: PublishQueue, publisher: DurablePublisher, count: Int, metrics: PublishingMetrics) {
        self.queue = queue
        self.publisher = publisher
        self.count = count
        self.metrics = metrics
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<count {
                group.addTask {
                    while let item = await queue.next() {
                        let started = ContinuousClock.now
                        do {
                            let outcome = try await publisher.publish(item.work)
                            metrics.publishSeconds.observe(ContinuousClock.now - started)
                            if outcome == .confirmed { metrics.messagesConfirmed.increment(by: item.work.count) }
                            item.finish(.success(outcome))
                        } catch {
                            metrics.publishSeconds.observe(ContinuousClock.now - started)
                            item.finish(.failure(error))
                        }
                    }
                }
            }
        }
    }

    public func shutdown() {
        queue.shutdown()
    }
}
