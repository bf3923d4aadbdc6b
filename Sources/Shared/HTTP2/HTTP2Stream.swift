/// Per-stream state of one connection, touched only by that connection's thread.
final class HTTP2Stream {
    let id: Int32
    var method = ""
    var path = ""
    var headers: [HTTPField] = []
    var body: [UInt8] = []
    var bodyLimitExceeded = false
    /// The request went up to the handler; later DATA is ignored.
    var dispatched = false

    /// The response body still to send, and how much of it went out.
    var responseBody: [UInt8] = []
    var responseOffset = 0
    /// Trailers to send once the body is out (empty: the last DATA frame ends the stream).
    var responseTrailers: [HTTPField] = []

    init(id: Int32) {
        self.id = id
    }

    func request() -> HTTP2Request {
        HTTP2Request(method: method, path: path, headers: headers, body: body, bodyLimitExceeded: bodyLimitExceeded)
    }
}
