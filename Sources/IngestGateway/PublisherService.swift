import AMQPClient
import EventCore

/// The publisher as a service: started first, stopped last, so every accepted batch is confirmed before exit.
struct PublisherService: Service {
    let name = "publisher"
    let publisher: AMQPPublisher

    func run() async throws {
        publisher.start()
        await publisher.waitUntilStopped()
    }

    func shutdown() {
        publisher.shutdown()
    }
}
