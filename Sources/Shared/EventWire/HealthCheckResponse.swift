/// `grpc.health.v1.HealthCheckResponse`.
public struct HealthCheckResponse: Sendable, Equatable {
    /// The proto3 (open) enum `ServingStatus`: numbers this code does not know are kept, so they round-trip.
    public struct ServingStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32

        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let unknown = ServingStatus(rawValue: 0)
        public static let serving = ServingStatus(rawValue: 1)
        public static let notServing = ServingStatus(rawValue: 2)
        /// Only for `Watch`: the requested service is not known.
        public static let serviceUnknown = ServingStatus(rawValue: 3)

        public var description: String {
            switch rawValue {
            case 0: "UNKNOWN"
            case 1: "SERVING"
            case 2: "NOT_SERVING"
            case 3: "SERVICE_UNKNOWN"
            default: "\(rawValue)"
            }
        }
    }

    /// Field 1.
    public var status: ServingStatus

    public init(status: ServingStatus = .unknown) {
        self.status = status
    }
}
