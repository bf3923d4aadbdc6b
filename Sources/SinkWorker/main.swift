import ClickHouseClient
import EventCore
import EventTopology
import Foundation

/// Wires a worker for one family: configuration, topology, schema, the database's health cron, one consumer per
/// configured slot (each with its own connections and sink), the admin endpoint; then runs until SIGTERM/SIGINT.
func runWorker() async -> Int32 {
    let configuration: WorkerConfiguration
    let family: Topology.Family
    let topology: Topology
    do {
        let arguments = try WorkerArguments.parse(Array(CommandLine.arguments.dropFirst()))
        configuration = try WorkerConfiguration(environment: Environment(ProcessInfo.processInfo.environment))
        topology = try Topology.load(path: configuration.topologyFile)
        family = try topology.selectFamily(arguments.family, queues: arguments.queues)
    } catch {
        FileHandle.standardError.write(Data("SinkWorker: \(error)\n".utf8))
        return 2
    }
    let logger = Logger(label: "sink-worker", minimumLevel: configuration.logLevel, metadata: ["family": family.name])
    do {
        let clickHouse = ClickHouseConfiguration(
            servers: configuration.servers,
            insertTimeout: configuration.insertTimeout
        )
        let database = try ClickHouseIdentifier(family.database)
        let tables = try family.queues.map {
            QualifiedTable(database: database, table: try ClickHouseIdentifier($0.table))
        }
        let registry = MetricsRegistry()
        let health = DatabaseHealth(
            database: database,
            configuration: clickHouse,
            logger: logger,
            gauge: WorkerAdmin.healthGauge(registry, database: family.database)
        )
        let queues = try QueueConsumers(
            family: family,
            declarations: topology.amqpDeclarations(for: [family]),
            configuration: configuration,
            clickHouse: clickHouse,
            health: health,
            registry: registry,
            logger: logger
        ).make()
        let consumers = queues.flatMap(\.consumers)
        let readiness = WorkerAdmin.readiness(consumers: consumers, health: health)
        var services: [any Service] = [health, ConsumerPool(consumers: consumers, readiness: readiness)]
        if configuration.admin.isEnabled {
            let router = AdminRouter(
                readiness: readiness,
                metrics: registry,
                token: configuration.admin.token,
                logger: logger
            )
            let admin = AdminServer(
                host: configuration.admin.host,
                port: configuration.admin.port,
                router: router,
                logger: logger
            )
            try admin.bind()
            services.insert(admin, at: 0)
        }
        try await SchemaSetup.ensureTables(tables, configuration: clickHouse, logger: logger)
        let group = ServiceGroup(services: services, drainTimeout: configuration.drainTimeout, logger: logger)
        try await group.run()
        logger.notice("stopped")
        return 0
    } catch {
        logger.critical("worker stopped on an error", .error(error))
        return 1
    }
}

if CommandLine.arguments.dropFirst().first == "dlq" {
    exit(DeadLetterCommand.run(Array(CommandLine.arguments.dropFirst(2))))
}
exit(await runWorker())
