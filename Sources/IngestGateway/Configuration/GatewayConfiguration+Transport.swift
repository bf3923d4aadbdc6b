import EventCore
import HTTP2Server

extension GatewayConfiguration {
    /// The gRPC port's event loops, connection limit and per-connection time limits (see `HTTP2ServerConfiguration`
    /// for what each cuts off).
    mutating func readTransportLimits(_ env: Environment) throws {
        server.eventLoops = try env.int("EVENT_LOOPS", default: server.eventLoops, in: 1...256)
        server.maxConnections = try env.int("MAX_CONNECTIONS", default: server.maxConnections, in: 1...1_000_000)
        server.maxConcurrentStreams = try env.int(
            "MAX_CONCURRENT_STREAMS",
            default: server.maxConcurrentStreams,
            in: 1...10_000
        )
        let least = Duration.milliseconds(100)
        server.prefaceTimeout = try env.duration("PREFACE_TIMEOUT", default: server.prefaceTimeout, atLeast: least)
        server.frameTimeout = try env.duration("FRAME_TIMEOUT", default: server.frameTimeout, atLeast: least)
        server.sendTimeout = try env.duration("SEND_TIMEOUT", default: server.sendTimeout, atLeast: least)
        server.idleTimeout = try env.duration("IDLE_TIMEOUT", default: server.idleTimeout, atLeast: .seconds(1))
        server.maxConnectionAge = try env.duration(
            "MAX_CONNECTION_AGE",
            default: server.maxConnectionAge,
            atLeast: .seconds(1)
        )
    }
}
