import EventCore
import IngestPipeline

/// The spool's writer as a service: started before the publisher and stopped after it, so batches spooled by
/// the last in-flight calls are still written.
struct SpoolService: Service {
    let name = "spool"
    let spool: Spool

    func run() async throws {
        spool.start()
        await spool.waitUntilStopped()
    }

    func shutdown() {
        spool.shutdown()
    }
}
