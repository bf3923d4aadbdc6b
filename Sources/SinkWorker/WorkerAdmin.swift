import AMQPClient
import ClickHouseClient
import EventCore

/// The worker's admin endpoint: `/heartbeat/` is 200 only while every consumer is subscribed (or paused on
/// purpose by its breaker) and the database is healthy, and `/metrics` has the queues' and the database's state.
enum WorkerAdmin {
    static func readiness(consumers: [AMQPConsumer], health: DatabaseHealth) -> Readiness {
        let readiness = Readiness()
        readiness.require("broker disconnected") { consumers.allSatisfy { $0.isConnected || $0.isPaused } }
        readiness.require("database \(health.database) unhealthy") { health.status.isHealthy }
        return readiness
    }

    static func healthGauge(_ registry: MetricsRegistry, database: String) -> Gauge {
        registry.gauge(
            "eventgrpc_worker_database_healthy",
            help: "1 while the database's health check passes.",
            labels: ["database": database]
        )
    }
}
