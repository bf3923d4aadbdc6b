import AMQPClient
import EventCore
import EventTopology
import Foundation
import IngestPipeline

/// Runs `IngestGateway spool inspect|replay` and returns the exit code: 0 done (every set-aside record
/// replayed), 1 records left or a failure, 2 bad configuration.
enum SpoolTool {
    static func run(_ command: SpoolArguments, environment: [String: String]) async -> Int32 {
        let directory = command.directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            Console.printError(
                "IngestGateway: spool: --dir \(directory) is not a directory; give the gateway's SPOOL_DIR"
            )
            return ExitStatus.usage
        }
        switch command {
        case .inspect(let directory, let json):
            do {
                let inspection = try SpoolInspection.read(directory)
                Console.print(json ? inspection.json : inspection.text)
                return ExitStatus.success
            } catch {
                Console.printError("spool inspect: \(error)")
                return ExitStatus.failure
            }
        case .replay(let directory):
            guard let settings = GatewaySettings.loadOrReport(environment) else { return ExitStatus.usage }
            return await replay(directory, settings: settings)
        }
    }

    private static func replay(_ directory: String, settings: GatewaySettings) async -> Int32 {
        let logger = Logger(label: "spool-replay", minimumLevel: settings.configuration.logLevel)
        let publisher = AMQPPublisher(
            configuration: AMQPConfiguration(servers: settings.configuration.servers),
            declarations: settings.topology.amqpDeclarations(for: settings.topology.families),
            logger: logger.with(["component": "publisher"])
        )
        publisher.start()
        let timeout = settings.durability.confirmTimeout
        let replay = SpoolSetAsideReplay(directory: directory, logger: logger) { messages in
            try await withDeadline(timeout) { try await publisher.publish(messages) }
        }
        let status: Int32
        do {
            let outcome = try await replay.run()
            Console.print(
                "spool replay: \(outcome.replayed) messages confirmed, \(outcome.refusedAgain) refused again, "
                    + "\(outcome.filesEmptied) files emptied and deleted, \(outcome.filesLeft.count) files left"
                    + (outcome.filesLeft.isEmpty ? "" : ": \(outcome.filesLeft.joined(separator: ", "))")
            )
            status = outcome.filesLeft.isEmpty ? ExitStatus.success : ExitStatus.failure
        } catch {
            Console.printError(
                "spool replay: \(error); what was not confirmed stays set aside, run it again once the broker answers"
            )
            status = ExitStatus.failure
        }
        publisher.shutdown()
        await publisher.waitUntilStopped()
        return status
    }
}
