import AMQPClient
import EventCore
import EventWire
import GRPCServer
import HTTP2Server
import IngestPipeline

/// The gateway's counters, registered once (promise P8).
struct GatewayMetrics: Sendable {
    let registry: MetricsRegistry
    let eventsAccepted: Counter
    let batchesAccepted: Counter
    let eventsClamped: Counter
    let batchesUnconfirmed: Counter

    init(registry: MetricsRegistry, publisher: AMQPPublisher, durable: DurablePublisher, queue: PublishQueue) {
        self.registry = registry
        eventsAccepted = registry.counter(
            "eventgrpc_gateway_events_accepted_total",
            help: "Events answered SUCCESS (confirmed by the broker or spooled)."
        )
        batchesAccepted = registry.counter(
            "eventgrpc_gateway_batches_accepted_total",
            help: "Batches answered SUCCESS."
        )
        eventsClamped = registry.counter(
            "eventgrpc_gateway_events_clamped_total",
            help: "Events whose future timestamp was clamped to server time."
        )
        batchesUnconfirmed = registry.counter(
            "eventgrpc_gateway_batches_unconfirmed_total",
            help: "Batches answered UNAVAILABLE because the broker did not confirm them."
        )
        registry.gauge(
            "eventgrpc_gateway_broker_connected",
            help: "1 while the publisher's broker connection is open."
        ) { publisher.isConnected ? 1 : 0 }
        registry.gauge(
            "eventgrpc_publisher_stalled",
            help: "1 while the broker is connected but stalled (blocked, or no confirm for PUBLISH_STALL_TIMEOUT): "
                + "batches go to the spool."
        ) { durable.brokerIsStalled ? 1 : 0 }
        registry.gauge(
            "eventgrpc_publisher_queue_depth_calls",
            help: "Publish calls waiting for the publisher's thread (bounded)."
        ) { publisher.status.queuedCalls }
        registry.computedCounter(
            "eventgrpc_publisher_late_confirmed_messages_total",
            help: "Broker messages confirmed after the gateway had stopped waiting and spooled their batch: "
                + "duplicates the sinks remove by event id."
        ) { Double(publisher.lateConfirmedMessages) }
        registry.gauge(
            "eventgrpc_gateway_queue_depth_batches",
            help: "Batches waiting in the bounded queue for a publisher."
        ) { queue.depth }
        // Present at zero for every code, so that a rate over them works before the first rejection.
        for code in GRPCStatus.Code.known where code != .ok {
            _ = rejections(code)
        }
    }

    /// Registers the gauges of the limits a flood runs into: the admission gate's slots (calls past the door, each
    /// holding its decoded batch) and the request bytes the server buffers (`MAX_BUFFERED_REQUEST_BYTES`).
    func observe(gate: AdmissionGate, server: HTTP2Server, bufferLimit: Int) {
        registry.gauge(
            "eventgrpc_gateway_admission_slots_in_use",
            help: "Dispatch calls past the admission gate now (MAX_CONCURRENT_DISPATCHES is the limit)."
        ) { gate.inUse }
        registry.gauge(
            "eventgrpc_gateway_admission_slots",
            help: "Dispatch calls the admission gate lets in at once (MAX_CONCURRENT_DISPATCHES)."
        ) { gate.limit }
        registry.gauge(
            "eventgrpc_grpc_buffered_request_bytes",
            help: "Request body bytes held now, from arrival until the handler is done with the request."
        ) { server.bufferedRequestBytes }
        registry.gauge(
            "eventgrpc_grpc_buffered_request_limit_bytes",
            help: "Request body bytes all connections may hold at once (MAX_BUFFERED_REQUEST_BYTES)."
        ) { bufferLimit }
    }

    /// Rejections by gRPC status code (a bounded label set).
    func batchRejected(_ code: GRPCStatus.Code) {
        rejections(code).increment()
    }

    private func rejections(_ code: GRPCStatus.Code) -> Counter {
        registry.counter(
            "eventgrpc_gateway_batches_rejected_total",
            help: "Batches refused, by gRPC status code.",
            labels: ["code": "\(code)"]
        )
    }
}
