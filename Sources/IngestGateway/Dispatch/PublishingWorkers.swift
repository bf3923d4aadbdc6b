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

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<count {
                group.addTask {
                    while let item = await queue.next() {
                        do {
                            item.finish(.success(try await publisher.publish(item.work)))
                        } catch {
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
