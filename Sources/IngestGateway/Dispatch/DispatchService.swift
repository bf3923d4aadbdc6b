import Foundation
import Shared

/// `event.EventService/dispatch`: decode, validate and clamp the batch, hand one message per event type to the
/// bounded queue, and answer SUCCESS only once the broker confirmed all of them or the batch is fsynced in the
/// spool (promise P1).
struct DispatchService: Sendable {
    static let path = "/event.EventService/dispatch"

    let validator: BatchValidator
    let gate: AdmissionGate
    let queue: PublishQueue
    let exchange: String
    let metrics: GatewayMetrics
    let clampMonitor: ClampMonitor
    let logger: Logger

    func dispatch(_ message: ArraySlice<UInt8>, _ context: GRPCCallContext) async throws -> [UInt8] {
        do {
            try await gate.enter()
        } catch let status as GRPCStatus {
            metrics.batchRejected(status.code)
            throw status
        }
        defer { gate.leave() }
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
        let outcome: DurablePublisher.Outcome
        do {
            outcome = try await queue.submit(messages, bytes: messages.reduce(0) { $0 + $1.body.count })
        } catch let status as GRPCStatus {
            metrics.batchRejected(status.code)
            logger.debug("batch refused", ["grpc.status": "\(status.code)", "reason": status.message])
            throw status
        } catch {
            metrics.batchesUnconfirmed.increment()
            logger.warning("batch neither confirmed nor spooled", .error(error))
            throw GRPCStatus(.unavailable, "the batch was not accepted; retry with the same event ids")
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
        let note = outcome == .spooled ? " (spooled until the broker is back)" : ""
        return DispatchResponse(status: "SUCCESS", message: "accepted \(events.count) events\(note)").protobufBytes()
    }
}
