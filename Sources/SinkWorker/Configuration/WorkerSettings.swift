import EventCore
import EventTopology

/// What a worker reads before it does anything, in one pass that collects every problem: the environment
/// (`WorkerConfiguration`), the topology file and, when one is named, the family and queues to run.
/// `check-config`, start-up and the `dlq` commands all use it.
struct WorkerSettings: Sendable {
    var configuration: WorkerConfiguration
    var topology: Topology
    /// The family selected by `--family` (narrowed to the `--queue`s given), nil when none was named.
    var family: Topology.Family?
    /// Every variable read with the value in effect, secrets redacted: the start-up log line carries it.
    var effectiveSettings: Logger.Metadata = [:]

    /// Reads `environment` and checks `selection` against the topology; throws every problem together.
    static func load(
        _ environment: [String: String],
        selection: WorkerArguments?
    ) throws(ConfigurationErrors) -> WorkerSettings {
        let env = Environment.collecting(environment)
        let problems = ConfigurationProblems()
        let configuration = problems.attempt { try WorkerConfiguration(environment: env) }
        let topology = problems.attempt { try Topology.load(path: configuration?.topologyFile) }
        let family = problems.attempt {
            try selection.flatMap { selection in
                try topology?.selectFamily(selection.family, queues: selection.queues)
            }
        }
        try problems.check(with: env)
        guard let configuration, let topology, let family else {
            preconditionFailure("every part either loaded or recorded a problem")
        }
        return WorkerSettings(
            configuration: configuration,
            topology: topology,
            family: family,
            effectiveSettings: env.effectiveSettings
        )
    }

    /// Every variable `load` reads, with the default it states, in the order read: what `--help` lists.
    static var environmentReads: [EnvironmentRead] {
        let env = Environment.collecting([:])
        _ = try? WorkerConfiguration(environment: env)
        return env.reads
    }

    /// The start-up log line's metadata: version, revision, every setting in effect (secrets redacted) and the
    /// queues this worker consumes.
    var startupMetadata: Logger.Metadata {
        effectiveSettings.merging(
            [
                "build.version": "\(BuildInfo.version)", "build.revision": "\(BuildInfo.revision)",
                "worker.queues": "\((family?.queues ?? []).map(\.name).joined(separator: ","))",
            ]
        ) { $1 }
    }

    /// The one line `check-config` prints when everything is valid.
    var summary: String {
        let servers = configuration.servers
        let families =
            family.map { "family \($0.name) (queues \($0.queues.map(\.name).joined(separator: ", ")))" }
            ?? "\(topology.families.count) families (\(topology.families.map(\.name).joined(separator: ", ")))"
        let admin = configuration.admin
        return "SinkWorker: configuration valid: \(families), "
            + "RabbitMQ \(servers.rabbitTLS == nil ? "amqp" : "amqps")://\(servers.rabbitHost):\(servers.rabbitPort), "
            + "ClickHouse \(servers.clickHouseTLS == nil ? "http" : "https")://"
            + "\(servers.clickHouseHosts.joined(separator: ",")):\(servers.clickHousePort), "
            + "admin \(admin.isEnabled ? "\(admin.host):\(admin.port)" : "off"), "
            + "topology \(configuration.topologyFile ?? "built-in")"
    }
}
