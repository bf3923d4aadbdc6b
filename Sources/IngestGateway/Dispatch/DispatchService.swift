import Foundation
import Shared

/// `event.EventService/dispatch`: decode, validate and clamp the batch, publish one confirmed message per event
/// type, and answer SUCCESS only once the broker confirmed all of them or the batch is in the spool (promise P1).
struct DispatchService: Sendable {
    static let path = "/event.EventService/dispatch"

    let validator: BatchValidator
    let publisher: DurablePublisher
    let exchange: String
    let metrics: GatewayMetrics
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
        let outcome: DurablePublisher.Outcome
        do {
            outcome = try await publisher.publish(messages)
        } catch {
            metrics.batchesUnconfirmed.increment()
            throw error
        }
        metrics.batchesAccepted.increment()
        metrics.eventsAccepted.increment(by: events.count)
        metrics.eventsClamped.increment(by: events.lazy.filter(\.timestampCorrected).count)
        let note = outcome == .spooled ? " (spooled until the broker is back)" : ""
        return DispatchResponse(status: "SUCCESS", message: "accepted \(events.count) events\(note)").protobufBytes()
    }
}
