import AMQPClient
import EventCore
import IngestPipeline

/// The replayer as a service: republishes the spool through the gateway's publisher while the broker is connected
/// and not stalled (a round in flight when the broker stalls fails within `PUBLISH_STALL_TIMEOUT` and is retried
/// later, so a frozen broker never holds the replayer past a drain); on shutdown it stops after the round in
/// flight (the rest is replayed by the next start).
struct ReplayerService: Service {
    let name = "spool-replayer"
    let replayer: SpoolReplayer

    init(spool: Spool, publisher: DurablePublisher, metrics: SpoolMetrics, logger: Logger) {
        replayer = SpoolReplayer(
            spool: spool,
            metrics: metrics,
            logger: logger,
            isReady: { publisher.brokerIsUsable },
            publish: { messages in try await publisher.publishConfirmed(messages) }
        )
    }

    func run() async throws {
        await replayer.run()
    }

    func shutdown() {
        replayer.shutdown()
    }
}
