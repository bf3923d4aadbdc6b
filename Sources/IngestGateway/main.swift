import Foundation
import Shared

/// Wires the gateway: configuration, topology, publisher, gRPC routes, server; then runs until SIGTERM/SIGINT.
func runGateway() async -> Int32 {
    let configuration: GatewayConfiguration
    let topology: Topology
    do {
        configuration = try GatewayConfiguration(environment: Environment(ProcessInfo.processInfo.environment))
        topology = try Topology.load(path: configuration.topologyFile)
    } catch {
        FileHandle.standardError.write(Data("IngestGateway: \(error)\n".utf8))
        return 2
    }
    let logger = Logger(label: "gateway", minimumLevel: configuration.logLevel)
    let publisher = AMQPPublisher(
        configuration: AMQPConfiguration(servers: configuration.servers),
        declarations: topology.amqpDeclarations(for: topology.families), logger: logger.with(["component": "publisher"]))
    let readiness = Readiness()
    let health = HealthService(readiness: readiness)
    let queue = PublishQueue(
        capacity: configuration.queueCapacity, maxBytes: configuration.queueMaxBytes,
        enqueueTimeout: configuration.enqueueTimeout)
    let metrics = GatewayMetrics(registry: MetricsRegistry(), publisher: publisher, queue: queue)
    let dispatch = DispatchService(
        validator: BatchValidator(limits: configuration.limits), queue: queue, publisher: publisher,
        exchange: topology.exchange.name, metrics: metrics, clampMonitor: ClampMonitor(), logger: logger)
    var router = GRPCRouter(maxMessageBytes: configuration.maxMessageBytes, logger: logger)
    router.register(DispatchService.path, dispatch.dispatch)
    router.register(HealthService.checkPath, health.check)
    let server = HTTP2Server(configuration: configuration.server, handler: router, logger: logger)
    let admin = AdminServer(
        host: configuration.adminHost, port: configuration.adminPort,
        router: AdminRouter(
            readiness: readiness, metrics: metrics.registry, token: configuration.adminToken, logger: logger),
        logger: logger)
    let group = ServiceGroup(
        services: [
            admin, PublisherService(publisher: publisher),
            PublishingWorkers(queue: queue, publisher: publisher, count: configuration.workerPoolSize),
            GatewayServerService(server: server, readiness: readiness, grace: configuration.shutdownGrace),
        ],
        drainTimeout: configuration.drainTimeout, logger: logger)
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
