import AMQPClient
import EventCore
import IngestPipeline

/// The replayer as a service: republishes the spool through the gateway's publisher while it is connected; on
/// shutdown it stops after the round in flight (the rest is replayed by the next start).
struct ReplayerService: Service {
    let name = "spool-replayer"
    let replayer: SpoolReplayer

    init(spool: Spool, publisher: AMQPPublisher, metrics: SpoolMetrics, logger: Logger) {
        replayer = SpoolReplayer(
            spool: spool,
            metrics: metrics,
            logger: logger,
            isReady: { publisher.isConnected },
            publish: { messages in try await publisher.publish(messages) }
        )
    }

    func run() async throws {
        await replayer.run()
    }

    func shutdown() {
        replayer.shutdown()
    }
}
