import Shared

/// The batches accepted by `dispatch`, waiting to be published.
typealias PublishQueue = BatchQueue<[OutgoingMessage], DurablePublisher.Outcome>

/// `EVENT_WORKER_POOL_SIZE` workers taking batches from the queue and publishing them with confirms (or spooling
/// them, see `DurablePublisher`). A worker
/// never dies with a batch: every error goes back to the waiting call. On shutdown the queue refuses new batches and
/// the workers drain what it holds before returning.
struct PublishingWorkers: Service {
    let name = "publishing-workers"
    let queue: PublishQueue
    let publisher: DurablePublisher
    let count: Int
    let metrics: GatewayMetrics

    func run() async throws {
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

    func shutdown() {
        queue.shutdown()
    }
}
