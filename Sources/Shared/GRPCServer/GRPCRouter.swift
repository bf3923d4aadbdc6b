public import EventCore
public import HTTP2Server

/// The server side of gRPC over HTTP/2 (grpc/grpc `doc/PROTOCOL-HTTP2.md`): checks the request headers, finds
/// the method, unframes (and gunzips) the message, enforces the deadline, and frames the answer with its status
/// trailers. Knows nothing of sockets or nghttp2, so every rule here is unit-tested with plain values.
public struct GRPCRouter: HTTP2RequestHandler {
    /// Request encodings accepted in `grpc-encoding`, as advertised in `grpc-accept-encoding`.
    static let acceptedEncodings = "identity,gzip"

    private var methods: [String: GRPCMethod] = [:]
    /// Methods that need a bearer token, checked on HEADERS (`screen`) and again before the handler runs.
    var authentications: [String: GRPCAuthentication] = [:]
    /// Methods that may refuse a call on its HEADERS under load (`screen`), before its body is buffered.
    var admissions: [String: GRPCAdmission] = [:]
    /// Largest request message accepted (default 4 MiB), compressed or not; larger ones get RESOURCE_EXHAUSTED.
    public var maxMessageBytes: Int
    let logger: Logger
    /// Calls started and handled, by method and status code; nil counts nothing.
    let metrics: GRPCServerMetrics?

    public init(maxMessageBytes: Int = 4 * 1024 * 1024, logger: Logger, metrics: GRPCServerMetrics? = nil) {
        self.maxMessageBytes = maxMessageBytes
        self.logger = logger
        self.metrics = metrics
    }

    /// Serves `path` (for example `/event.EventService/dispatch`) with a unary `handler`; with `authentication`,
    /// only for clients with a valid bearer token, checked before the request's body is buffered (the handler
    /// finds the client's name in `GRPCCallContext.client`); with `admission`, a call it refuses on HEADERS is
    /// answered with its status before its body is buffered or the handler started.
    public mutating func register(
        _ path: String,
        authentication: GRPCAuthentication? = nil,
        admission: GRPCAdmission? = nil,
        _ handler: @escaping GRPCUnaryHandler
    ) {
        methods[path] = .unary(handler)
        authentications[path] = authentication
        admissions[path] = admission
        metrics?.prepare(path: path, type: "unary")
    }

    /// Serves `path` with a server-streaming `handler`.
    public mutating func registerServerStreaming(_ path: String, _ handler: @escaping GRPCServerStreamingHandler) {
        methods[path] = .serverStreaming(handler)
        metrics?.prepare(path: path, type: "server_stream")
    }

    public func handle(_ request: consuming HTTP2Request, response writer: HTTP2ResponseWriter) async {
        guard request.method == "POST" else {
            writer.send(HTTP2Response(status: 405, headers: [HTTPField("allow", "POST")]))
            return
        }
        guard let contentType = request.header("content-type"), contentType.hasPrefix("application/grpc") else {
            writer.send(
                HTTP2Response(
                    status: 415,
                    headers: [HTTPField("content-type", "text/plain")],
                    body: Array("gRPC requires content-type application/grpc\n".utf8)
                )
            )
            return
        }
        let call = metrics?.start(path: request.path)
        let code = await serve(consume request, writer: writer)
        call?.finish(code)
    }

    /// Answers a gRPC request and returns the status code it ended with. The request is dropped once its message
    /// is out, and a unary handler gets the message to own (`GRPCUnaryHandler`): nothing here keeps the request's
    /// bytes alive while the handler runs.
    private func serve(_ request: consuming HTTP2Request, writer: HTTP2ResponseWriter) async -> GRPCStatus.Code {
        let method: GRPCMethod
        let context: GRPCCallContext
        let message: ArraySlice<UInt8>
        do {
            (method, context, message) = try prepare(request)
        } catch {
            writer.send(Self.trailersOnly(error))
            return error.code
        }
        _ = consume request
        switch method {
        case .unary(let handler):
            let (response, code) = await unary(handler, message: consume message, context: context)
            writer.send(response)
            return code
        case .serverStreaming(let handler):
            return await serverStreaming(handler, message: message, context: context, writer: writer)
        }
    }

    /// Runs a unary handler, within the call's deadline when it has one; the handler gets the message to own
    /// (through a `Handoff` when a deadline's task runs it).
    private func unary(
        _ handler: @escaping GRPCUnaryHandler,
        message: consuming ArraySlice<UInt8>,
        context: GRPCCallContext
    ) async
        -> (HTTP2Response, GRPCStatus.Code)
    {
        do {
            let response: [UInt8]
            if let timeout = context.timeout {
                let handoff = Handoff(consume message)
                response = try await withDeadline(timeout) { try await handler(handoff.take(), context) }
            } else {
                response = try await handler(consume message, context)
            }
            let answer = HTTP2Response(
                status: 200,
                headers: [HTTPField("content-type", "application/grpc")],
                body: GRPCFraming.frame(response),
                trailers: [HTTPField("grpc-status", "0")]
            )
            return (answer, .ok)
        } catch {
            let status = status(for: error, path: context.path)
            return (Self.trailersOnly(status), status.code)
        }
    }

    /// The status a handler's error is answered with: its own when it threw one, the mapped one for a domain
    /// error (`GRPCStatusConvertible`), INTERNAL otherwise.
    func status(for error: any Error, path: String) -> GRPCStatus {
        if let status = error as? GRPCStatus { return status }
        if let convertible = error as? any GRPCStatusConvertible { return convertible.grpcStatus }
        if let exceeded = error as? DeadlineExceeded {
            return GRPCStatus(.deadlineExceeded, "the call's deadline (\(exceeded.timeout)) passed")
        }
        logger.error("handler failed without a status", ["grpc.path": "\(path)"].merging(.error(error)) { $1 })
        return GRPCStatus(.internalError, "internal error: \(error)")
    }

    private func prepare(_ request: HTTP2Request) throws(GRPCStatus) -> (GRPCMethod, GRPCCallContext, ArraySlice<UInt8>)
    {
        guard let method = methods[request.path] else {
            throw GRPCStatus(.unimplemented, "method \(request.path) is not implemented by this server")
        }
        let client: String
        do {
            client = try authentications[request.path]?.authorize(request) ?? ""
        } catch {
            metrics?.refused(.unauthenticated)
            throw error
        }
        let encoding = request.header("grpc-encoding") ?? "identity"
        guard encoding == "identity" || encoding == "gzip" else {
            throw GRPCStatus(
                .unimplemented,
                "grpc-encoding \(encoding) is not supported; send gzip or uncompressed messages",
                trailers: [HTTPField("grpc-accept-encoding", Self.acceptedEncodings)]
            )
        }
        guard !request.bodyLimitExceeded else {
            metrics?.refused(.messageTooLarge)
            throw GRPCStatus(.resourceExhausted, "request message exceeds the limit of \(maxMessageBytes) bytes")
        }
        guard !request.bufferBudgetExhausted else {
            metrics?.refused(.bufferBudget)
            throw GRPCStatus(
                .resourceExhausted,
                "the server holds too many request bytes right now; retry after 1000 ms",
                trailers: [HTTPField("grpc-retry-pushback-ms", "1000")]
            )
        }
        var timeout: Duration?
        if let value = request.header("grpc-timeout") {
            guard let parsed = GRPCTimeout.parse(value) else {
                throw GRPCStatus(.invalidArgument, "grpc-timeout \"\(value)\" is malformed")
            }
            timeout = parsed
        }
        let framed = try GRPCFraming.singleMessage(in: request.body, maxLength: maxMessageBytes)
        // The request's own bytes, not a copy: a call holds one copy of its message, counted in the buffer budget.
        var message = framed.payload
        if framed.compressed {
            guard encoding == "gzip" else {
                throw GRPCStatus(.internalError, "the message is marked compressed but grpc-encoding is \(encoding)")
            }
            message = try GRPCGzip.decompress(Array(message), limit: maxMessageBytes)[...]
        }
        var context = GRPCCallContext(
            path: request.path,
            headers: request.headers,
            timeout: timeout,
            peer: request.peer
        )
        context.client = client
        context.bufferLease = request.bufferLease
        return (method, context, message)
    }

    /// A response made of one HEADERS frame that carries the status (for errors before any message).
    static func trailersOnly(_ status: GRPCStatus) -> HTTP2Response {
        HTTP2Response(status: 200, headers: [HTTPField("content-type", "application/grpc")] + statusFields(status))
    }

    /// `grpc-status`, the percent-encoded `grpc-message` when there is one, and the status's extra fields.
    static func statusFields(_ status: GRPCStatus) -> [HTTPField] {
        var fields = [HTTPField("grpc-status", String(status.code.rawValue))]
        if !status.message.isEmpty {
            fields.append(HTTPField("grpc-message", GRPCPercentEncoding.encode(status.message)))
        }
        return fields + status.trailers
    }
}
