import ClickHouseClient
import EventCore
import EventTopology
import Foundation

/// Runs the command the arguments ask for (`WorkerCommand`) and returns the exit code (`ExitStatus`).
func runCommand(_ arguments: [String], environment: [String: String]) async -> Int32 {
    let command: WorkerCommand
    do {
        command = try WorkerCommand.parse(arguments)
    } catch {
        Console.printError(error.message)
        return ExitStatus.usage
    }
    let selection: WorkerArguments?
    switch command {
    case .help:
        Console.print(WorkerCommand.help(reads: WorkerSettings.environmentReads))
        return ExitStatus.success
    case .deadLetterHelp:
        Console.print(DeadLetterArguments.usage)
        return ExitStatus.success
    case .version:
        Console.print(BuildInfo.versionLine(program: "SinkWorker"))
        return ExitStatus.success
    case .run(let arguments): selection = arguments
    case .checkConfig(let arguments): selection = arguments
    case .deadLetter: selection = nil
    }
    let settings: WorkerSettings
    do {
        settings = try WorkerSettings.load(environment, selection: selection)
    } catch {
        Console.printError("SinkWorker: \(error)")
        return ExitStatus.usage
    }
    switch command {
    case .deadLetter(let arguments):
        return DeadLetterCommand.run(arguments, settings: settings)
    case .run:
        guard let family = settings.family else { return ExitStatus.usage }
        return await runWorker(settings, family: family)
    default:
        Console.print(settings.summary)
        return ExitStatus.success
    }
}

/// Wires a worker for one family: schema, the database's health cron, one consumer per configured slot (each with
/// its own connections and sink), the admin endpoint; then runs until SIGTERM/SIGINT.
func runWorker(_ settings: WorkerSettings, family: Topology.Family) async -> Int32 {
    let configuration = settings.configuration
    let topology = settings.topology
    let logger = Logger(
        label: "sink-worker",
        minimumLevel: configuration.logLevel,
        format: configuration.logFormat,
        metadata: ["family": "\(family.name)"]
    )
    logger.notice("starting", settings.startupMetadata)
    do {
        let clickHouse = ClickHouseConfiguration(
            servers: configuration.servers,
            insertTimeout: configuration.insertTimeout,
            statementLog: configuration.statementLog
        )
        let database = try ClickHouseIdentifier(family.database)
        let tables = try family.queues.map {
            QualifiedTable(database: database, table: try ClickHouseIdentifier($0.table))
        }
        let registry = MetricsRegistry()
        registry.registerProcessMetrics()
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
        // The schema is created inside the running worker, so the admin endpoint answers while it waits.
        let pool = ConsumerPool(consumers: consumers, readiness: readiness) {
            try await SchemaSetup.ensureTables(tables, configuration: clickHouse, logger: logger)
        }
        var services: [any Service] = [health, pool]
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
        let group = ServiceGroup(services: services, drainTimeout: configuration.drainTimeout, logger: logger)
        try await group.run()
        logger.notice("stopped")
        return ExitStatus.success
    } catch {
        logger.critical("worker stopped on an error", .error(error))
        return ExitStatus.failure
    }
}

exit(await runCommand(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment))
