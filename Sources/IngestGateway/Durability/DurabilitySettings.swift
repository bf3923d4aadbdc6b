import EventCore
import IngestPipeline

/// The durability settings the gateway reads besides `GatewayConfiguration`: the spool (`SPOOL_DIR`,
/// `SPOOL_MAX_BYTES`, `SPOOL_SEGMENT_BYTES`, sizes with binary units or plain bytes), `PUBLISH_CONFIRM_TIMEOUT`
/// (default 5 s), after which an unconfirmed batch is spooled, and `PUBLISH_STALL_TIMEOUT` (default 1 s), after
/// which a broker that owes confirms and sent none is stalled (`StallDetector`).
struct DurabilitySettings: Sendable {
    var spool: SpoolConfiguration
    var confirmTimeout: Duration
    var stallTimeout: Duration

    init(environment: Environment) throws {
        // Read here rather than with `SpoolConfiguration(environment:)`, which takes plain byte counts only; the
        // defaults stay the spool's own.
        spool = SpoolConfiguration()
        spool.directory = environment.string("SPOOL_DIR", default: spool.directory)
        spool.maxBytes = try environment.bytes("SPOOL_MAX_BYTES", default: spool.maxBytes, in: 4096...(1 << 50))
        spool.segmentBytes = try environment.bytes(
            "SPOOL_SEGMENT_BYTES",
            default: spool.segmentBytes,
            in: 4096...(1 << 30)
        )
        confirmTimeout = try environment.duration(
            "PUBLISH_CONFIRM_TIMEOUT",
            default: .seconds(5),
            atLeast: .milliseconds(100)
        )
        stallTimeout = try environment.duration(
            "PUBLISH_STALL_TIMEOUT",
            default: .seconds(1),
            atLeast: .milliseconds(100)
        )
    }
}
