import Foundation
import Shared

/// Wires a worker for one family: configuration, topology, schema, one consumer per configured slot, each with
/// its own ClickHouse connection; then runs until SIGTERM/SIGINT.
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
            servers: configuration.servers, insertTimeout: configuration.insertTimeout)
        let tables = try family.queues.map {
            QualifiedTable(database: try ClickHouseIdentifier(family.database), table: try ClickHouseIdentifier($0.table))
        }
        try await SchemaSetup.ensureTables(tables, configuration: clickHouse, logger: logger)
        let declarations = topology.amqpDeclarations(for: [family])
        let metrics = MetricsRegistry()
        var consumers: [AMQPConsumer] = []
        for (queue, table) in zip(family.queues, tables) {
            let failureMetrics = FailureMetrics(registry: metrics, queue: queue.name)
            for slot in 0..<queue.consumers {
                let consumerLogger = logger.with(["amqp.queue": queue.name, "consumer": String(slot)])
                let sink = DirectSink(
                    connection: try ClickHouseConnection(configuration: clickHouse, logger: consumerLogger), table: table,
                    queue: queue, outageDelay: configuration.retryDelay, metrics: failureMetrics,
                    logger: consumerLogger)
                consumers.append(
                    AMQPConsumer(
                        configuration: AMQPConfiguration(servers: configuration.servers), queue: queue.name,
                        prefetch: UInt16(queue.prefetch), declarations: declarations, logger: consumerLogger,
                        handler: sink.handle))
            }
        }
        let group = ServiceGroup(
            services: [ConsumerPool(consumers: consumers)], drainTimeout: configuration.drainTimeout, logger: logger)
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
