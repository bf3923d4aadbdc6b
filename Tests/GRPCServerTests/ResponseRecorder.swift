import Synchronization

@testable import GRPCServer
@testable import HTTP2Server

/// A response writer that is not backed by a connection: records the parts a handler sends.
final class ResponseRecorder: Sendable {
    private final class Parts: Sendable {
        let list = Mutex<[HTTP2ResponsePart]>([])
    }

    private let parts = Parts()
    let writer: HTTP2ResponseWriter

    init() {
        let parts = self.parts
        writer = HTTP2ResponseWriter { new in parts.list.withLock { $0.append(contentsOf: new) } }
    }

    var recorded: [HTTP2ResponsePart] { parts.list.withLock { $0 } }

    /// The parts put together; nil while the response has not ended.
    var response: HTTP2Response? {
        var response = HTTP2Response(status: 0)
        for part in recorded {
            switch part {
            case .head(let status, let headers, let endsStream):
                response.status = status
                response.headers = headers
                if endsStream { return response }
            case .data(let bytes):
                response.body += bytes
            case .end(let trailers):
                response.trailers = trailers
                return response
            }
        }
        return nil
    }
}

extension HTTP2RequestHandler {
    /// Runs the handler to its end and returns what it sent (the whole response for unary calls).
    func handle(_ request: HTTP2Request) async -> HTTP2Response {
        let recorder = ResponseRecorder()
        await handle(request, response: recorder.writer)
        return recorder.response ?? HTTP2Response(status: -1)
    }
}
