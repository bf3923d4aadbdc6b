import Synchronization
import Shared

/// `grpc.health.v1.Health/Check`: SERVING while the gateway takes batches, NOT_SERVING once it drains.
/// The empty service name and `event.EventService` are known; any other name is SERVICE_UNKNOWN.
final class HealthService: Sendable {
    static let checkPath = "/grpc.health.v1.Health/Check"
    private static let knownServices: Set<String> = ["", "event.EventService"]

    private let serving = Mutex(true)

    func markNotServing() {
        serving.withLock { $0 = false }
    }

    func check(_ message: ArraySlice<UInt8>, _ context: GRPCCallContext) async throws -> [UInt8] {
        let request: HealthCheckRequest
        do {
            request = try HealthCheckRequest(protobuf: message)
        } catch {
            throw GRPCStatus(.invalidArgument, "the request is not a valid HealthCheckRequest: \(error)")
        }
        guard Self.knownServices.contains(request.service) else {
            throw GRPCStatus(.notFound, "unknown service \(request.service)")
        }
        let status: HealthCheckResponse.ServingStatus = serving.withLock { $0 } ? .serving : .notServing
        return HealthCheckResponse(status: status).protobufBytes()
    }
}
