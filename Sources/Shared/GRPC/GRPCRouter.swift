/// What a unary handler sees of its call besides the request message.
public struct GRPCCallContext: Sendable {
    public var path: String
    public var headers: [HTTPField]
    /// From `grpc-timeout`, when the client set one.
    public var timeout: Duration?
}

/// A unary RPC implementation: request message bytes in, response message bytes out; throw `GRPCStatus` to
/// answer with an error status.
public typealias GRPCUnaryHandler = @Sendable (ArraySlice<UInt8>, GRPCCallContext) async throws -> [UInt8]

/// The server side of gRPC over HTTP/2 (grpc/grpc `doc/PROTOCOL-HTTP2.md`): checks the request headers, finds
/// the method, unframes the message, enforces the deadline, and frames the answer with its status trailers.
/// Knows nothing of sockets or nghttp2, so every rule here is unit-tested with plain values.
public struct GRPCRouter: HTTP2RequestHandler {
    private var methods: [String: GRPCUnaryHandler] = [:]
    /// Largest request message accepted (default 4 MiB); larger ones get RESOURCE_EXHAUSTED.
    public var maxMessageBytes: Int
    private let logger: Logger

    public init(maxMessageBytes: Int = 4 * 1024 * 1024, logger: Logger) {
        self.maxMessageBytes = maxMessageBytes
        self.logger = logger
    }

    /// Serves `path` (for example `/event.EventService/dispatch`) with `handler`.
    public mutating func register(_ path: String, _ handler: @escaping GRPCUnaryHandler) {
        methods[path] = handler
    }

    public func handle(_ request: HTTP2Request) async -> HTTP2Response {
        guard request.method == "POST" else {
            return HTTP2Response(status: 405, headers: [HTTPField("allow", "POST")])
        }
        guard let contentType = request.header("content-type"), contentType.hasPrefix("application/grpc") else {
            return HTTP2Response(status: 415, headers: [HTTPField("content-type", "text/plain")],
                                 body: Array("gRPC requires content-type application/grpc\n".utf8))
        }
        do {
            let (handler, context, message) = try prepare(request)
            let response = try await GRPCDeadline.run(within: context.timeout) {
                try await handler(message, context)
            }
            return HTTP2Response(
                status: 200, headers: [HTTPField("content-type", "application/grpc")],
                body: GRPCFraming.frame(response), trailers: [HTTPField("grpc-status", "0")])
        } catch let status as GRPCStatus {
            return Self.trailersOnly(status)
        } catch {
            logger.error("handler failed without a status", ["grpc.path": request.path].merging(.error(error)) { $1 })
            return Self.trailersOnly(GRPCStatus(.internalError, "internal error: \(error)"))
        }
    }

    private func prepare(_ request: HTTP2Request) throws(GRPCStatus)
        -> (GRPCUnaryHandler, GRPCCallContext, ArraySlice<UInt8>)
    {
        guard let handler = methods[request.path] else {
            throw GRPCStatus(.unimplemented, "method \(request.path) is not implemented by this server")
        }
        if let encoding = request.header("grpc-encoding"), encoding != "identity" {
            throw GRPCStatus(
                .unimplemented, "grpc-encoding \(encoding) is not supported; send uncompressed messages",
                trailers: [HTTPField("grpc-accept-encoding", "identity")])
        }
        guard !request.bodyLimitExceeded else {
            throw GRPCStatus(.resourceExhausted, "request message exceeds the limit of \(maxMessageBytes) bytes")
        }
        var timeout: Duration?
        if let value = request.header("grpc-timeout") {
            guard let parsed = GRPCTimeout.parse(value) else {
                throw GRPCStatus(.invalidArgument, "grpc-timeout \"\(value)\" is malformed")
            }
            timeout = parsed
        }
        let message = try GRPCFraming.singleMessage(in: request.body, maxLength: maxMessageBytes)
        return (handler, GRPCCallContext(path: request.path, headers: request.headers, timeout: timeout), message)
    }

    /// A response made of one HEADERS frame that carries the status (for errors before any message).
    static func trailersOnly(_ status: GRPCStatus) -> HTTP2Response {
        var headers = [
            HTTPField("content-type", "application/grpc"),
            HTTPField("grpc-status", String(status.code.rawValue)),
        ]
        if !status.message.isEmpty {
            headers.append(HTTPField("grpc-message", GRPCPercentEncoding.encode(status.message)))
        }
        return HTTP2Response(status: 200, headers: headers + status.trailers)
    }
}
