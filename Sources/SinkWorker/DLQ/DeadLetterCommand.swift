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
            case .list(let family):
                let families = try family.map { [try topology.selectFamily($0, queues: [])] } ?? topology.families
                try list(families.flatMap(\.queues), client: client)
            case .peek(let name, let limit):
                try peek(try topology.queue(named: name), limit: limit, client: client)
            case .replay(let name, let limit):
                try replay(try topology.queue(named: name), limit: limit, client: client)
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

    private static func list(_ queues: [Topology.Queue], client: AMQPBlockingClient) throws {
        print("queue\tdlq\tdepth")
        for queue in queues {
            let depth = try client.readyMessageCount(queue: queue.deadLetterQueue)
            print("\(queue.name)\t\(queue.deadLetterQueue)\t\(depth.map(String.init) ?? "not declared")")
        }
    }

    /// Shows up to `limit` messages, then returns all of them to the DLQ unchanged (nack with requeue).
    private static func peek(_ queue: Topology.Queue, limit: Int, client: AMQPBlockingClient) throws {
        var last: Delivery?
        for index in 1...limit {
            guard let delivery = try client.get(queue: queue.deadLetterQueue) else { break }
            last = delivery
            print(describe(delivery, index: index))
        }
        guard let last else {
            print("\(queue.deadLetterQueue) is empty")
            return
        }
        try client.requeueAll(upTo: last)
    }

    private static func replay(_ queue: Topology.Queue, limit: Int?, client: AMQPBlockingClient) throws {
        var progress: ReplayProgress?
        do {
            let replayed = try DeadLetterReplay(queue: queue, client: client).run(limit: limit) { done, total in
                if progress == nil { progress = ReplayProgress(total: total) }
                progress?.update(done)
            }
            (progress ?? ReplayProgress(total: replayed)).finish(replayed)
        } catch let error as DeadLetterReplayError {
            progress?.finish(error.replayed)
            throw error
        }
    }

    static func describe(_ delivery: Delivery, index: Int) -> String {
        func header(_ name: String) -> String {
            switch delivery.headers[name] {
            case .string(let text): text
            case .int64(let value): String(value)
            case nil: "-"
            case let other?: "\(other)"
            }
        }
        let excerpt = String(decoding: delivery.body.prefix(200), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: "\\n")
        return """
            #\(index) message_id=\(delivery.messageID ?? "-") class=\(header(DeadLetterHeaders.reasonClass)) \
            retries=\(header(DeadLetterHeaders.retryCount)) origin=\(header(DeadLetterHeaders.originQueue)) \
            at=\(header(DeadLetterHeaders.deadLetteredAt))
              reason: \(header(DeadLetterHeaders.reason))
              body (\(delivery.body.count) bytes): \(excerpt)\(delivery.body.count > 200 ? "…" : "")
            """
    }
}
