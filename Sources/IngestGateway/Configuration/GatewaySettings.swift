import EventCore
import EventTopology
import GRPCServer
import HTTP2Server
import IngestPipeline

/// Everything the gateway needs before it starts, read in one pass that collects every problem: the environment
/// (`GatewayConfiguration`, `DurabilitySettings`), the topology file and the bearer-token file. `check-config`
/// and start-up both use it, so they agree on what is valid.
struct GatewaySettings: Sendable {
    var configuration: GatewayConfiguration
    var durability: DurabilitySettings
    var topology: Topology
    var auth: GRPCBearerAuth?
    /// The certificate and key loaded from `configuration.tls` (checked here, so check-config reports a bad file).
    var tlsContext: TLSContext?
    /// Every variable read with the value in effect, secrets redacted: the start-up log line carries it.
    var effectiveSettings: Logger.Metadata = [:]

    /// Reads `environment`; throws every bad value, the topology's problem and the token file's problem together.
    static func load(_ environment: [String: String]) throws(ConfigurationErrors) -> GatewaySettings {
        let env = Environment.collecting(environment)
        let problems = ConfigurationProblems()
        let configuration = problems.attempt { try GatewayConfiguration(environment: env) }
        let durability = problems.attempt { try DurabilitySettings(environment: env) }
        let topology = problems.attempt { try Topology.load(path: configuration?.topologyFile) }
        let auth = problems.attempt {
            try configuration?.authTokensFile.map { path throws(ConfigurationError) in
                try GRPCBearerAuth(contentsOfFile: path)
            }
        }
        let tlsContext = problems.attempt {
            try configuration?.tls.map { tls throws(ConfigurationError) in try TLSContext.load(tls) }
        }
        try problems.check(with: env)
        guard let configuration, let durability, let topology, let auth, let tlsContext else {
            preconditionFailure("every part either loaded or recorded a problem")
        }
        return GatewaySettings(
            configuration: configuration,
            durability: durability,
            topology: topology,
            auth: auth,
            tlsContext: tlsContext,
            effectiveSettings: env.effectiveSettings
        )
    }

    /// `load`, with every problem printed to standard error for a command that then exits with `ExitStatus.usage`.
    static func loadOrReport(_ environment: [String: String]) -> GatewaySettings? {
        do {
            return try load(environment)
        } catch {
            Console.printError("IngestGateway: \(error)")
            return nil
        }
    }

    /// Every variable `load` reads, with the default it states, in the order read: what `--help` lists.
    static var environmentReads: [EnvironmentRead] {
        let env = Environment.collecting([:])
        _ = try? GatewayConfiguration(environment: env)
        _ = try? DurabilitySettings(environment: env)
        return env.reads
    }

    /// The start-up log line's metadata: version, revision, every setting in effect (secrets redacted), and what
    /// the topology and token files hold.
    var startupMetadata: Logger.Metadata {
        effectiveSettings.merging(
            [
                "build.version": "\(BuildInfo.version)", "build.revision": "\(BuildInfo.revision)",
                "topology.families": .int(topology.families.count), "topology.exchange": "\(topology.exchange.name)",
                "auth.enabled": .bool(auth != nil),
            ]
        ) { $1 }
    }

    /// The one line `check-config` prints when everything is valid.
    var summary: String {
        let queues = topology.families.reduce(0) { $0 + $1.queues.count }
        return "IngestGateway: configuration valid: gRPC \(configuration.server.host):\(configuration.server.port), "
            + "admin \(configuration.adminHost):\(configuration.adminPort), "
            + "RabbitMQ \(configuration.servers.rabbitHost):\(configuration.servers.rabbitPort), "
            + "topology \(configuration.topologyFile ?? "built-in") (\(topology.families.count) families, "
            + "\(queues) queues, exchange \(topology.exchange.name)), spool \(durability.spool.directory), "
            + "auth \(auth == nil ? "off" : "on"), TLS \(tlsSummary)"
    }

    private var tlsSummary: String {
        guard let tlsContext else { return "off" }
        let clients = tlsContext.verifiesClients ? ", client certificates required" : ""
        let expired = tlsContext.isExpired ? " (EXPIRED: clients will refuse it; renew it)" : ""
        return "on (certificate serial \(tlsContext.serial)\(expired)\(clients))"
    }
}
