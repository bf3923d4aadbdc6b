/// An error of a domain below the gRPC edge that knows which status answers it.
///
/// Domains throw their own errors and know nothing of gRPC; the binary that serves them declares the mapping
/// (one conformance per domain error), and `GRPCRouter` answers with it. An error that neither is a `GRPCStatus`
/// nor conforms here is a bug and is answered INTERNAL (and logged).
public protocol GRPCStatusConvertible: Error {
    /// The status the client receives for this error.
    var grpcStatus: GRPCStatus { get }
}
