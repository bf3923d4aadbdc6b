import AMQPClient
import EventCore
import EventWire
import Foundation
import GRPCServer
import IngestPipeline

/// `event.EventService/dispatch`: decode, validate and clamp the batch in one pass from the request's bytes to
/// each routing key's JSON (`BatchValidator.transcode`), hand the parts to the bounded queue, and answer SUCCESS
/// only once the broker confirmed all of them or the batch is fsynced in the spool (promise P1). The pipeline
/// throws `IngestError`; the router answers with its gRPC status.
///
/// A refused batch (INVALID_ARGUMENT, UNAUTHENTICATED, RESOURCE_EXHAUSTED) is logged with the client's address
/// and identity (its token's name or fingerprint, never the token), at most `rejectionLinesPerSecond` lines per
/// status code each second, so a flood of bad calls cannot fill the disk.
struct DispatchService: Sendable {
    static let path = "/event.EventService/dispatch"
    static let rejectionLinesPerSecond = 10

    let validator: BatchValidator
    let gate: AdmissionGate
    let queue: PublishQueue
    let metrics: GatewayMetrics
    let clampMonitor: ClampMonitor
    let logger: Logger
    /// Bearer tokens `dispatch` requires (the router checks them on HEADERS, `GRPCAuthentication`); here only
    /// to name a refused client in the log; nil: no authentication.
    var auth: GRPCBearerAuth?
    var rejectionLog = LogRateLimiter(linesPerSecond: DispatchService.rejectionLinesPerSecond)

    func dispatch(_ message: consuming ArraySlice<UInt8>, _ context: GRPCCallContext) async throws -> [UInt8] {
        let (call, pending, now) = try await admit(consume message, context)
        let outcome: DurablePublisher.Outcome
        do {
            outcome = try await pending.outcome()
        } catch {
            throw failed(error, context)
        }
        metrics.batchesAccepted.increment()
        metrics.eventsAccepted.increment(by: call.events)
        metrics.eventsClamped.increment(by: call.clamped)
        if let report = clampMonitor.record(events: call.events, clamped: call.clamped, now: now) {
            logger.warning(
                "more than 10% of last minute's events had future timestamps (client clocks ahead); they were clamped",
                ["events.count": .int(report.events), "events.clamped": .int(report.clamped)]
            )
        }
        let note = outcome == .spooled ? " (spooled until the broker is back)" : ""
        return DispatchResponse(status: "SUCCESS", message: "accepted \(call.events) events\(note)").protobufBytes()
    }

    /// The load check on a call's HEADERS: while every admission slot is taken and the gate's line is full, the
    /// call is refused with RESOURCE_EXHAUSTED and a pushback before its body is buffered or a task started for it,
    /// so a flood of open streams costs the gateway their HEADERS, not their bodies. Refusals are counted and
    /// logged as the gate's own are.
    var admission: GRPCAdmission {
        let (gate, service) = (gate, self)
        return GRPCAdmission(
            check: { gate.refusal()?.grpcStatus },
            refused: { status, context in _ = service.rejected(status, context) }
        )
    }

    /// Passes the admission gate, transcodes the batch and queues it. The slot is held until the call is queued,
    /// not while it waits for its publish round: a round held under load (`PUBLISH_ROUND_INTERVAL`) is bounded by
    /// the queue's room, not by `MAX_CONCURRENT_DISPATCHES`, and a queued call no longer holds a decoded batch.
    /// The request's bytes are dropped and given back to the request-buffer budget once transcoded: a queued call
    /// holds its broker JSON (counted by the queue), not its request as well.
    private func admit(
        _ message: consuming ArraySlice<UInt8>,
        _ context: GRPCCallContext
    ) async throws -> (ValidatedCall, PublishQueue.Pending, now: Int64) {
        do {
            try await gate.enter()
        } catch {
            throw rejected(error, context)
        }
        defer { gate.leave() }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let call: ValidatedCall
        do {
            call = try validator.transcode(message, now: now)
        } catch {
            throw rejected(error, context)
        }
        _ = consume message
        context.releaseRequest()
        do {
            return (call, try await queue.enqueue(call), now)
        } catch {
            throw failed(error, context)
        }
    }

    /// What a call that was queued, or failed to be, is answered with: the queue's refusals and a cancelled call as
    /// `rejected`; anything else means neither the broker nor the spool took the batch (UNAVAILABLE).
    private func failed(_ error: any Error, _ context: GRPCCallContext) -> any Error {
        if error is IngestError || error is CancellationError {
            // A cancelled call's deadline passed or its client went away; a batch already queued is still published.
            return rejected(error, context)
        }
        metrics.batchesUnconfirmed.increment()
        logger.warning("batch neither confirmed nor spooled", .error(error))
        return GRPCStatus(.unavailable, "the batch was not accepted; retry with the same event ids")
    }

    /// Counts a refused batch by the status it is answered with (a cancelled call as CANCELLED: its deadline
    /// passed or its client left), logs it (rate-limited per code) with the client's address and identity, and
    /// passes the error on.
    func rejected(_ error: any Error, _ context: GRPCCallContext) -> any Error {
        let status =
            error is CancellationError ? nil : error as? GRPCStatus ?? (error as? any GRPCStatusConvertible)?.grpcStatus
        let code = error is CancellationError ? .cancelled : status?.code ?? .internalError
        metrics.batchRejected(code)
        if let status, [.invalidArgument, .unauthenticated, .resourceExhausted].contains(code) {
            let identity = context.client.isEmpty ? auth?.identity(context.headers) ?? "" : context.client
            logger.log(
                code == .unauthenticated ? .warning : .info,
                limitedBy: rejectionLog,
                key: "\(code)",
                "batch rejected",
                [
                    "grpc.status": "\(code)", "reason.text": "\(status.message)", "client.peer": "\(context.peer)",
                    "client.identity": "\(identity.isEmpty ? "anonymous" : identity)",
                ]
            )
        }
        return error
    }
}
