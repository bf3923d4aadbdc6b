import Foundation
import Shared

/// `event.EventService/dispatch`: decode, validate and clamp the batch, hand one message per event type to the
/// bounded queue, and answer SUCCESS only once the broker confirmed all of them (promise P1).
struct DispatchService: Sendable {
    static let path = "/event.EventService/dispatch"

    let validator: BatchValidator
    let queue: PublishQueue
    let publisher: AMQPPublisher
    let exchange: String
    let metrics: GatewayMetrics
    let clampMonitor: ClampMonitor
    let logger: Logger

    func dispatch(_ message: ArraySlice<UInt8>, _ context: GRPCCallContext) async throws -> [UInt8] {
        let batch: Events
        do {
            batch = try Events(protobuf: message)
        } catch {
            metrics.batchRejected(.invalidArgument)
            throw GRPCStatus(.invalidArgument, "the request is not a valid event.Events message: \(error)")
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let events: [IngestedEvent]
        do {
            events = try validator.validate(batch, now: now)
        } catch {
            metrics.batchRejected(error.code)
            logger.info("batch rejected", ["grpc.status": "\(error.code)", "reason": error.message])
            throw error
        }
        let messages = BatchMessages.make(header: batch.header, events: events, exchange: exchange)
        do {
            try await queue.submit(messages, bytes: messages.reduce(0) { $0 + $1.body.count })
        } catch let status as GRPCStatus {
            metrics.batchRejected(status.code)
            logger.debug("batch refused", ["grpc.status": "\(status.code)", "reason": status.message])
            throw status
        } catch let error as AMQPError where error.code == .publishReturned {
            metrics.batchesUnroutable.increment()
            logger.error("batch returned by the broker as unroutable: no queue is bound for its event type", .error(error))
            throw GRPCStatus(.unavailable, "no queue takes this event type yet; retry later or check the topology")
        } catch {
            metrics.batchesUnconfirmed.increment()
            logger.warning("batch not confirmed by the broker", .error(error))
            throw GRPCStatus(.unavailable, "the broker did not confirm the batch; retry with the same event ids")
        }
        metrics.batchesAccepted.increment()
        metrics.eventsAccepted.increment(by: events.count)
        let clamped = events.lazy.filter(\.timestampCorrected).count
        metrics.eventsClamped.increment(by: clamped)
        if let report = clampMonitor.record(events: events.count, clamped: clamped, now: now) {
            logger.warning(
                "more than 10% of last minute's events had future timestamps (client clocks ahead); they were clamped",
                ["events": String(report.events), "events.clamped": String(report.clamped)])
        }
        return DispatchResponse(status: "SUCCESS", message: "accepted \(events.count) events").protobufBytes()
    }
}
