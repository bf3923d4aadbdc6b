extension Topology {
    /// The shipped topology, identical to `config/topology.json` (a unit test keeps the two in step).
    ///
    /// `analytics` takes every event type (`#`), as the deployed system's catch-all binding did, so no event
    /// is unroutable; `logs` takes trace and post log events into a database of their own, so an outage of
    /// one database stops only its own family.
    public static let `default` = Topology(
        exchange: Exchange(name: "events", type: "topic"),
        families: [
            Family(
                name: "analytics", database: "analytics",
                queues: [
                    Queue(
                        name: "analytics.events", bindings: ["#"], consumers: 4, prefetch: 1, sink: .direct,
                        table: "events")
                ]),
            Family(
                name: "logs", database: "logs",
                queues: [
                    Queue(
                        name: "logs.trace", bindings: ["log.trace"], consumers: 4, prefetch: 1, sink: .direct,
                        table: "trace_events"),
                    Queue(
                        name: "logs.post", bindings: ["log.post"], consumers: 2, prefetch: 1, sink: .direct,
                        table: "post_events"),
                ]),
        ])
}
