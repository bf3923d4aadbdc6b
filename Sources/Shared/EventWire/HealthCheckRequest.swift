/// `grpc.health.v1.HealthCheckRequest`.
public struct HealthCheckRequest: Sendable, Equatable {
    /// Field 1: the service to check; empty for the server as a whole.
    public var service: String

    public init(service: String = "") {
        self.service = service
    }
}
