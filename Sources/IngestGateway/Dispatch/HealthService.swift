import EventCore
import EventWire
import GRPCServer
import HTTP2Server

/// `grpc.health.v1.Health` (grpc/grpc `doc/health-checking.md`): SERVING while the gateway takes batches,
/// NOT_SERVING once it drains (the same `Readiness` as the heartbeat). The empty service name and
/// `event.EventService` are known; Check answers NOT_FOUND for others, Watch sends SERVICE_UNKNOWN.
struct HealthService: Sendable {
    static let checkPath = "/grpc.health.v1.Health/Check"
    static let watchPath = "/grpc.health.v1.Health/Watch"
    private static let knownServices: Set<String> = ["", "event.EventService"]

    let readiness: Readiness

    func check(_ message: ArraySlice<UInt8>, _ context: GRPCCallContext) async throws -> [UInt8] {
        let request = try Self.decode(message)
        guard Self.knownServices.contains(request.service) else {
            throw GRPCStatus(.notFound, "unknown service \(request.service)")
        }
        return HealthCheckResponse(status: Self.status(readiness.isReady)).protobufBytes()
    }

    /// Sends the current status, then each change, until the client cancels; when the server shuts down it sends
    /// the final status and ends the call with UNAVAILABLE.
    func watch(_ message: ArraySlice<UInt8>, _ context: GRPCCallContext, _ stream: GRPCServerStream) async throws {
        let request = try Self.decode(message)
        guard Self.knownServices.contains(request.service) else {
            stream.send(HealthCheckResponse(status: .serviceUnknown).protobufBytes())
            _ = await stream.interruption()
            return
        }
        let readiness = self.readiness
        let (lastSent, interruption) = await withTaskGroup(of: WatchEvent.self) { group in
            group.addTask {
                var last: HealthCheckResponse.ServingStatus?
                for await ready in readiness.changes() where Self.status(ready) != last {
                    guard stream.send(HealthCheckResponse(status: Self.status(ready)).protobufBytes()) else { break }
                    last = Self.status(ready)
                }
                return .sent(last)
            }
            group.addTask { .interrupted(await stream.interruption()) }
            var lastSent: HealthCheckResponse.ServingStatus?
            var interruption: HTTP2StreamInterruption?
            for await event in group {
                switch event {
                case .sent(let status): lastSent = status
                case .interrupted(let reason): interruption = reason
                }
                group.cancelAll()
            }
            return (lastSent, interruption)
        }
        guard interruption == .serverDraining else { return }
        let final = Self.status(readiness.isReady)
        if final != lastSent { stream.send(HealthCheckResponse(status: final).protobufBytes()) }
        throw GRPCStatus(.unavailable, "the server is shutting down; watch another instance")
    }

    private enum WatchEvent: Sendable {
        case sent(HealthCheckResponse.ServingStatus?)
        case interrupted(HTTP2StreamInterruption?)
    }

    private static func decode(_ message: ArraySlice<UInt8>) throws -> HealthCheckRequest {
        do {
            return try HealthCheckRequest(protobuf: message)
        } catch {
            throw GRPCStatus(.invalidArgument, "the request is not a valid HealthCheckRequest: \(error)")
        }
    }

    private static func status(_ ready: Bool) -> HealthCheckResponse.ServingStatus {
        ready ? .serving : .notServing
    }
}
