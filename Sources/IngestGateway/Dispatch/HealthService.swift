import Shared

/// `grpc.health.v1.Health/Check`: SERVING while the gateway takes batches, NOT_SERVING once it drains (the same
/// `Readiness` as the heartbeat). The empty service name and `event.EventService` are known; others are NOT_FOUND.
struct HealthService: Sendable {
    static let checkPath = "/grpc.health.v1.Health/Check"
    private static let knownServices: Set<String> = ["", "event.EventService"]

    let readiness: Readiness

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
        let status: HealthCheckResponse.ServingStatus = readiness.isReady ? .serving : .notServing
        return HealthCheckResponse(status: status).protobufBytes()
    }
}
