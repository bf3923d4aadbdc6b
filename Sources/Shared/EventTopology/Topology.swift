/// The exchanges, queues and sinks of the whole system: data read by both binaries from one JSON file
/// (`TOPOLOGY_FILE`, else the built-in default that `config/topology.json` documents).
///
/// The gateway publishes every event to `exchange` with the event type as routing key; each family's
/// worker consumes its queues and writes rows to its database. Adding a queue is configuration, not code.
public struct Topology: Sendable, Equatable, Codable {
    /// The topic exchange the gateway publishes to.
    public var exchange: Exchange
    public var families: [Family]

    public init(exchange: Exchange, families: [Family]) {
        self.exchange = exchange
        self.families = families
    }

    public struct Exchange: Sendable, Equatable, Codable {
        public var name: String
        /// `topic`, `direct` or `fanout`.
        public var type: String
        public init(name: String, type: String) {
            self.name = name
            self.type = type
        }
    }

    /// A group of queues written to one ClickHouse database, run by `SinkWorker --family NAME`.
    public struct Family: Sendable, Equatable, Codable {
        public var name: String
        /// The ClickHouse database every queue of the family writes to.
        public var database: String
        public var queues: [Queue]
        public init(name: String, database: String, queues: [Queue]) {
            self.name = name
            self.database = database
            self.queues = queues
        }
    }

    public struct Queue: Sendable, Equatable, Codable {
        public var name: String
        /// Routing-key patterns bound from the exchange (`#` takes every event).
        public var bindings: [String]
        /// Consumers per worker process, each with its own connection and ClickHouse handle.
        public var consumers: Int
        /// Unacknowledged deliveries per consumer; 1 isolates a slow insert to its own consumer. A buffered
        /// sink needs more: it holds every message of its batch unacknowledged until the batch is written, so
        /// its batches are at most `prefetch` messages.
        public var prefetch: Int
        public var sink: Sink
        /// The target table inside the family's database.
        public var table: String
        /// Delayed retries of failed inserts before `Q.dlq`; `RetryPolicy.default` when the file leaves it out.
        public var retry: RetryPolicy
        /// Buffered sinks only: rows that trigger a flush (default `defaultBatchSize`).
        public var batchSize: Int?
        /// Buffered sinks only: milliseconds after the first buffered row that trigger a flush (default
        /// `defaultBatchAgeMilliseconds`).
        public var batchAge: Int?
        /// Buffered sinks only: the most bytes one consumer's batch holds, message bodies plus their rows (default
        /// `defaultBatchBytes`); a message that does not fit is inserted alone.
        public var batchBytes: Int?
        public init(
            name: String,
            bindings: [String],
            consumers: Int,
            prefetch: Int,
            sink: Sink,
            table: String,
            batchSize: Int? = nil,
            batchAge: Int? = nil,
            batchBytes: Int? = nil,
            retry: RetryPolicy = .default
        ) {
            self.name = name
            self.bindings = bindings
            self.consumers = consumers
            self.prefetch = prefetch
            self.sink = sink
            self.table = table
            self.batchSize = batchSize
            self.batchAge = batchAge
            self.batchBytes = batchBytes
            self.retry = retry
        }
    }

    public enum Sink: String, Sendable, Equatable, Codable {
        /// One insert per message, acknowledged after the insert succeeded.
        case direct
        /// One insert per batch of `batchSize` rows or `batchAge` milliseconds, per consumer; every message of
        /// the batch is acknowledged after the insert succeeded.
        case buffered
    }

    /// The family named `name`, if the topology has it.
    public func family(named name: String) -> Family? {
        families.first { $0.name == name }
    }
}

extension Topology.Queue {
    /// Where messages that cannot be written end up, with `x-dlq-reason` and friends saying why.
    public var deadLetterQueue: String { name + ".dlq" }

    /// The queue where a message waits before retry `number` (1-based); it dead-letters back to this queue.
    public func retryQueue(_ number: Int) -> String { name + ".retry.\(number)" }
}
