import EventCore
public import GRPCServer
import HTTP2Server
public import IngestPipeline

/// The gRPC edge of the ingest pipeline: which status answers each of its errors (DESIGN.md section 3).
extension IngestError: GRPCStatusConvertible {
    public var grpcStatus: GRPCStatus {
        switch code {
        case .invalidBatch:
            return GRPCStatus(.invalidArgument, message)
        case .overloaded:
            let pushback = retryAfter.map { [HTTPField("grpc-retry-pushback-ms", String($0.wholeMilliseconds))] }
            return GRPCStatus(.resourceExhausted, message, trailers: pushback ?? [])
        default:
            // `draining` and `unavailable`: another instance, or the same one later, can take the batch.
            return GRPCStatus(.unavailable, message)
        }
    }
}
