import AMQPClient
import EventCore
import EventTopology
import Foundation
import GRPCServer
import HTTP2Server
import IngestPipeline

/// Runs the command the arguments ask for (`GatewayCommand`) and returns the exit code (`ExitStatus`).
func runCommand(_ arguments: [String], environment: [String: String]) async -> Int32 {
    let command: GatewayCommand
    do {
        command = try GatewayCommand.parse(arguments)
    } catch {
        Console.printError(error.message)
        return ExitStatus.usage
    }
    switch command {
    case .help:
        Console.print(GatewayCommand.help(reads: GatewaySettings.environmentReads))
        return ExitStatus.success
    case .version:
        Console.print(BuildInfo.versionLine(program: "IngestGateway"))
        return ExitStatus.success
    case .spool(let arguments):
        return await SpoolTool.run(arguments, environment: environment)
    case .checkConfig, .serve:
        guard let settings = GatewaySettings.loadOrReport(environment) else { return ExitStatus.usage }
        guard command == .serve else {
            Console.print(settings.summary)
            return ExitStatus.success
        }
        return await runGateway(settings)
    }
}

/// Wires the gateway: publisher, spool, gRPC routes, server, admin; then runs until SIGTERM/SIGINT.
func runGateway(_ settings: GatewaySettings) async -> Int32 {
    let configuration = settings.configuration
    let durability = settings.durability
    let topology = settings.topology
    let logger = Logger(label: "gateway", minimumLevel: configuration.logLevel, format: configuration.logFormat)
    logger.notice("starting", settings.startupMetadata)
    LargeAllocations.returnToTheSystemWhenFreed()
    let publisher = AMQPPublisher(
        configuration: AMQPConfiguration(servers: configuration.servers),
        declarations: topology.amqpDeclarations(for: topology.families),
        logger: logger.with(["component": "publisher"]),
        stallTimeout: durability.stallTimeout
    )
    let readiness = Readiness()
    let registry = MetricsRegistry()
    registry.registerProcessMetrics()
    let spoolMetrics = SpoolMetrics(registry: registry)
    let spool: Spool
    do {
        spool = try Spool(
            configuration: durability.spool,
            metrics: spoolMetrics,
            logger: logger.with(["component": "spool"])
        )
    } catch {
        logger.critical("cannot open the spool", .error(error))
        return ExitStatus.failure
    }
    let health = HealthService(readiness: readiness)
    let queue = PublishQueue(
        capacity: configuration.queueCapacity,
        maxBytes: configuration.queueMaxBytes,
        enqueueTimeout: configuration.enqueueTimeout
    )
    let durable = DurablePublisher(
        publisher: publisher,
        spool: spool,
        confirmTimeout: durability.confirmTimeout,
        stallTimeout: durability.stallTimeout,
        metrics: DurablePublisherMetrics(registry: registry),
        logger: logger
    )
    let metrics = GatewayMetrics(registry: registry, publisher: publisher, durable: durable, queue: queue)
    let gate = AdmissionGate(limit: configuration.maxConcurrentDispatches, timeout: configuration.enqueueTimeout)
    let dispatch = DispatchService(
        validator: BatchValidator(limits: configuration.limits),
        gate: gate,
        queue: queue,
        metrics: metrics,
        clampMonitor: ClampMonitor(),
        logger: logger,
        auth: settings.auth
    )
    var router = GRPCRouter(
        maxMessageBytes: configuration.maxMessageBytes,
        logger: logger,
        metrics: GRPCServerMetrics(registry: registry)
    )
    let authentication = settings.auth.map { tokens in
        GRPCAuthentication(tokens: tokens) { status, context in _ = dispatch.rejected(status, context) }
    }
    router.register(
        DispatchService.path,
        authentication: authentication,
        admission: dispatch.admission,
        dispatch.dispatch
    )
    router.register(HealthService.checkPath, health.check)
    router.registerServerStreaming(HealthService.watchPath, health.watch)
    var tls: TLSAcceptor?
    if let tlsConfiguration = configuration.tls, let context = settings.tlsContext {
        tls = TLSAcceptor(configuration: tlsConfiguration, context: context, registry: registry, logger: logger)
    }
    let server = HTTP2Server(
        configuration: configuration.server,
        handler: router,
        tls: tls,
        registry: registry,
        logger: logger
    )
    metrics.observe(gate: gate, server: server, bufferLimit: configuration.server.maxBufferedRequestBytes)
    let admin = AdminServer(
        host: configuration.adminHost,
        port: configuration.adminPort,
        router: AdminRouter(
            readiness: readiness,
            metrics: metrics.registry,
            token: configuration.adminToken,
            logger: logger
        ),
        logger: logger
    )
    let group = ServiceGroup(
        services: [
            admin, CertificateReloadService(tls: tls, logger: logger), SpoolService(spool: spool),
            PublisherService(publisher: publisher),
            ReplayerService(spool: spool, publisher: durable, metrics: spoolMetrics, logger: logger),
            PublishingWorkers(
                queue: queue,
                publisher: durable,
                count: configuration.workerPoolSize,
                exchange: topology.exchange.name,
                limits: configuration.rounds,
                metrics: PublishingMetrics(registry: registry)
            ),
            GatewayServerService(server: server, readiness: readiness, grace: configuration.shutdownGrace),
        ],
        drainTimeout: configuration.drainTimeout,
        logger: logger
    )
    do {
        try admin.bind()
        try server.bind()
        try await group.run()
        logger.notice("stopped")
        return ExitStatus.success
    } catch {
        logger.critical("gateway stopped on an error", .error(error))
        return ExitStatus.failure
    }
}

exit(await runCommand(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment))
