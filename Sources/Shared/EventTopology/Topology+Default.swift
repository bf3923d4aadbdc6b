extension Topology {
    /// The shipped topology, identical to `config/topology.json` (a unit test keeps the two in step).
    ///
    /// `analytics` takes every event type (`#`), as the deployed system's catch-all binding did, so no event
    /// is unroutable; `logs` takes trace and post log events into a database of their own, so an outage of
    /// one database stops only its own family. `logs` uses buffered sinks (many rows per insert) with 20
    /// consumers on its busiest queue, `logs.trace`; their prefetch of 100 lets each consumer hold a batch, of at most
    /// 4 MiB.
    public static let `default` = Topology(
        exchange: Exchange(name: "events", type: "topic"),
        families: [
            Family(
                name: "analytics",
                database: "analytics",
                queues: [
                    Queue(
                        name: "analytics.events",
                        bindings: ["#"],
                        consumers: 4,
                        prefetch: 1,
                        sink: .direct,
                        table: "events"
                    )
                ]
            ),
            Family(
                name: "logs",
                database: "logs",
                queues: [
                    Queue(
                        name: "logs.trace",
                        bindings: ["log.trace"],
                        consumers: 20,
                        prefetch: 100,
                        sink: .buffered,
                        table: "trace_events",
                        batchSize: 1000,
                        batchAge: 1000,
                        batchBytes: 4 << 20
                    ),
                    Queue(
                        name: "logs.post",
                        bindings: ["log.post"],
                        consumers: 4,
                        prefetch: 100,
                        sink: .buffered,
                        table: "post_events",
                        batchSize: 1000,
                        batchAge: 1000,
                        batchBytes: 4 << 20
                    ),
                ]
            ),
        ]
    )
}
