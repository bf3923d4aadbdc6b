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
