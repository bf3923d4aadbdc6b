import AMQPClient
import EventCore
import EventWire
import Foundation
import GRPCServer
import IngestPipeline

/// `event.EventService/dispatch`: decode, validate and clamp the batch, hand one message per event type to the
/// bounded queue, and answer SUCCESS only once the broker confirmed all of them or the batch is fsynced in the
/// spool (promise P1). The pipeline throws `IngestError`; the router answers with its gRPC status.
struct DispatchService: Sendable {
    static let path = "/event.EventService/dispatch"

    let validator: BatchValidator
    let gate: AdmissionGate
    let queue: PublishQueue
    let metrics: GatewayMetrics
    let clampMonitor: ClampMonitor
    let logger: Logger

    func dispatch(_ message: ArraySlice<UInt8>, _ context: GRPCCallContext) async throws -> [UInt8] {
        do {
            try await gate.enter()
        } catch {
            throw rejected(error)
        }
        defer { gate.leave() }
        let batch: Events
        do {
            batch = try Events(protobuf: message)
        } catch {
            throw rejected(
                IngestError(.invalidBatch, "the request is not a valid event.Events message: \(error)", cause: error)
            )
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let events: [IngestedEvent]
        do {
            events = try validator.validate(batch, now: now)
        } catch {
            logger.info(
                "batch rejected",
                ["grpc.status": "\(error.grpcStatus.code)", "reason.text": "\(error.message)"]
            )
            throw rejected(error)
        }
        let parts = CallPart.parts(header: batch.header, receivedAtMilliseconds: now, events: events)
        let outcome: DurablePublisher.Outcome
        do {
            outcome = try await queue.submit(parts, bytes: parts.reduce(0) { $0 + $1.json.count }, events: events.count)
        } catch let error as IngestError {
            logger.debug(
                "batch refused",
                ["grpc.status": "\(error.grpcStatus.code)", "reason.text": "\(error.message)"]
            )
            throw rejected(error)
        } catch let error as CancellationError {
            // The deadline passed or the client went away; a batch already queued is still published.
            throw rejected(error)
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
                ["events.count": .int(report.events), "events.clamped": .int(report.clamped)]
            )
        }
        let note = outcome == .spooled ? " (spooled until the broker is back)" : ""
        return DispatchResponse(status: "SUCCESS", message: "accepted \(events.count) events\(note)").protobufBytes()
    }

    /// Counts a refused batch by the status it is answered with (a cancelled call as CANCELLED: its deadline
    /// passed or its client left), and passes the error on.
    private func rejected(_ error: any Error) -> any Error {
        let code =
            error is CancellationError
            ? .cancelled : (error as? any GRPCStatusConvertible)?.grpcStatus.code ?? .internalError
        metrics.batchRejected(code)
        return error
    }
}
