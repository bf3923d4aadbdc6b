import AMQPClient
import EventCore
import EventTopology
import Foundation
import GRPCServer
import HTTP2Server
import IngestPipeline

/// Wires the gateway: configuration, topology, publisher, gRPC routes, server; then runs until SIGTERM/SIGINT.
func runGateway() async -> Int32 {
    let configuration: GatewayConfiguration
    let durability: DurabilitySettings
    let topology: Topology
    let auth: GRPCBearerAuth?
    do {
        let environment = Environment(ProcessInfo.processInfo.environment)
        configuration = try GatewayConfiguration(environment: environment)
        durability = try DurabilitySettings(environment: environment)
        topology = try Topology.load(path: configuration.topologyFile)
        auth = try configuration.authTokensFile.map { path throws(ConfigurationError) in
            try GRPCBearerAuth(contentsOfFile: path)
        }
    } catch {
        FileHandle.standardError.write(Data("IngestGateway: \(error)\n".utf8))
        return 2
    }
    let logger = Logger(label: "gateway", minimumLevel: configuration.logLevel)
    let publisher = AMQPPublisher(
        configuration: AMQPConfiguration(servers: configuration.servers),
        declarations: topology.amqpDeclarations(for: topology.families),
        logger: logger.with(["component": "publisher"])
    )
    let readiness = Readiness()
    let registry = MetricsRegistry()
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
        return 1
    }
    let health = HealthService(readiness: readiness)
    let queue = PublishQueue(
        capacity: configuration.queueCapacity,
        maxBytes: configuration.queueMaxBytes,
        enqueueTimeout: configuration.enqueueTimeout
    )
    let metrics = GatewayMetrics(registry: registry, publisher: publisher, queue: queue)
    let durable = DurablePublisher(
        publisher: publisher,
        spool: spool,
        confirmTimeout: durability.confirmTimeout,
        metrics: DurablePublisherMetrics(registry: registry),
        logger: logger
    )
    let dispatch = DispatchService(
        validator: BatchValidator(limits: configuration.limits),
        gate: AdmissionGate(limit: configuration.maxConcurrentDispatches, timeout: configuration.enqueueTimeout),
        queue: queue,
        metrics: metrics,
        clampMonitor: ClampMonitor(),
        logger: logger
    )
    var router = GRPCRouter(maxMessageBytes: configuration.maxMessageBytes, logger: logger)
    router.register(DispatchService.path, auth.map { $0.protect(dispatch.dispatch) } ?? dispatch.dispatch)
    router.register(HealthService.checkPath, health.check)
    router.registerServerStreaming(HealthService.watchPath, health.watch)
    let server = HTTP2Server(configuration: configuration.server, handler: router, logger: logger)
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
            admin, SpoolService(spool: spool), PublisherService(publisher: publisher),
            ReplayerService(spool: spool, publisher: publisher, metrics: spoolMetrics, logger: logger),
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
        return 0
    } catch {
        logger.critical("gateway stopped on an error", .error(error))
        return 1
    }
}

exit(await runGateway())
