import Foundation
import Shared

/// Wires the gateway: configuration, topology, publisher, gRPC routes, server; then runs until SIGTERM/SIGINT.
func runGateway() async -> Int32 {
    let configuration: GatewayConfiguration
    let topology: Topology
    let auth: GRPCBearerAuth?
    do {
        configuration = try GatewayConfiguration(environment: Environment(ProcessInfo.processInfo.environment))
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
        declarations: topology.amqpDeclarations(for: topology.families), logger: logger.with(["component": "publisher"]))
    let readiness = Readiness()
    let metrics = GatewayMetrics(registry: MetricsRegistry())
    let health = HealthService(readiness: readiness)
    let dispatch = DispatchService(
        validator: BatchValidator(limits: configuration.limits), publisher: publisher,
        exchange: topology.exchange.name, metrics: metrics, logger: logger)
    var router = GRPCRouter(maxMessageBytes: configuration.maxMessageBytes, logger: logger)
    router.register(DispatchService.path, auth.map { $0.protect(dispatch.dispatch) } ?? dispatch.dispatch)
    router.register(HealthService.checkPath, health.check)
    router.registerServerStreaming(HealthService.watchPath, health.watch)
    let server = HTTP2Server(configuration: configuration.server, handler: router, logger: logger)
    let admin = AdminServer(
        host: configuration.adminHost, port: configuration.adminPort,
        router: AdminRouter(
            readiness: readiness, metrics: metrics.registry, token: configuration.adminToken, logger: logger),
        logger: logger)
    let group = ServiceGroup(
        services: [
            admin, PublisherService(publisher: publisher),
            GatewayServerService(server: server, readiness: readiness),
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
