import AMQPClient
import EventCore
import EventTopology
import Foundation
import SinkPipeline

/// `SinkWorker dlq list|peek|replay`: inspects and drains the dead-letter queues over AMQP alone (basic.get, no
/// management plugin needed). Exit codes: 0 done, 1 a broker failure, 2 bad arguments or configuration.
enum DeadLetterCommand {
    static func run(_ command: DeadLetterArguments, settings: WorkerSettings) -> Int32 {
        let configuration = settings.configuration
        let topology = settings.topology
        let client = AMQPBlockingClient(configuration: AMQPConfiguration(servers: configuration.servers))
        defer { client.close() }
        do {
            switch command {
            case .list(let family, let options):
                let families = try family.map { [try topology.selectFamily($0, queues: [])] } ?? topology.families
                try list(families.flatMap(\.queues), output: options.output, client: client)
            case .peek(let name, let limit, let options):
                try peek(try topology.queue(named: name), limit: limit, options: options, client: client)
            case .replay(let name, let limit, let options):
                try replay(try topology.queue(named: name), limit: limit, options: options, client: client)
            }
            return ExitStatus.success
        } catch let error as TopologyError {
            Console.printError("\(error)")
            return ExitStatus.usage
        } catch {
            Console.printError("dlq: \(error)")
            return ExitStatus.failure
        }
    }

    private static func list(
        _ queues: [Topology.Queue],
        output: DeadLetterOptions.Output,
        client: AMQPBlockingClient
    )
        throws
    {
        if output == .text { Console.print("queue\tdlq\tdepth") }
        for queue in queues {
            let depth = try client.readyMessageCount(queue: queue.deadLetterQueue)
            switch output {
            case .text:
                Console.print("\(queue.name)\t\(queue.deadLetterQueue)\t\(depth.map(String.init) ?? "not declared")")
            case .json:
                Console.print(
                    DeadLetterRendering.json([
                        "queue": queue.name, "dlq": queue.deadLetterQueue, "depth": depth.map { $0 as Any } ?? NSNull(),
                    ])
                )
            }
        }
    }

    /// Shows up to `limit` messages (of the reason class asked for), then returns all of them to the DLQ
    /// unchanged (nack with requeue).
    private static func peek(
        _ queue: Topology.Queue,
        limit: Int,
        options: DeadLetterOptions,
        client: AMQPBlockingClient
    ) throws {
        let depth = try client.readyMessageCount(queue: queue.deadLetterQueue) ?? 0
        var scan = DeadLetterScan(client: client, queue: queue.deadLetterQueue, budget: depth)
        let shown = try scan.next(count: limit, reasonClass: options.reasonClass)
        scan.hold(shown)
        for (offset, delivery) in shown.enumerated() {
            Console.print(DeadLetterRendering.describe(delivery, index: offset + 1, options: options))
        }
        try scan.putBackHeld()
        if shown.isEmpty && options.output == .text {
            let filter = options.reasonClass.map { " has no message of class \($0)" } ?? " is empty"
            Console.print("\(queue.deadLetterQueue)\(filter)")
        }
    }

    private static func replay(
        _ queue: Topology.Queue,
        limit: Int?,
        options: DeadLetterOptions,
        client: AMQPBlockingClient
    ) throws {
        let settings = DeadLetterReplay.Options(
            limit: limit,
            reasonClass: options.reasonClass,
            rate: options.rate,
            dryRun: options.dryRun
        )
        var progress: ReplayProgress?
        var index = 0
        do {
            let replayed = try DeadLetterReplay(queue: queue, client: client).run(settings) { done, total in
                if progress == nil { progress = ReplayProgress(total: total, dryRun: options.dryRun) }
                progress?.update(done)
            } selected: { delivery in
                guard options.dryRun else { return }
                index += 1
                Console.print(DeadLetterRendering.describe(delivery, index: index, options: options))
            }
            // With a class filter the messages of that class were all of them: the total is what moved.
            let total = options.reasonClass == nil ? progress?.total ?? replayed : replayed
            ReplayProgress(total: total, dryRun: options.dryRun, started: progress?.started ?? .now)
                .finish(replayed, output: options.output)
        } catch let error as DeadLetterReplayError {
            progress?.finish(error.replayed, output: options.output)
            throw error
        }
    }
}
