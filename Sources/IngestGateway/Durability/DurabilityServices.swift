import AMQPClient
import EventCore
import IngestPipeline

/// The durability settings the gateway reads besides `GatewayConfiguration`: the spool (`SPOOL_DIR`,
/// `SPOOL_MAX_BYTES`, `SPOOL_SEGMENT_BYTES`) and `PUBLISH_CONFIRM_TIMEOUT` (default 5 s), after which an
/// unconfirmed batch is spooled.
struct DurabilitySettings: Sendable {
    var spool: SpoolConfiguration
    var confirmTimeout: Duration

    init(environment: Environment) throws {
        spool = try SpoolConfiguration(environment: environment)
        confirmTimeout = try environment.duration(
            "PUBLISH_CONFIRM_TIMEOUT",
            default: .seconds(5),
            atLeast: .milliseconds(100)
        )
    }
}

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
