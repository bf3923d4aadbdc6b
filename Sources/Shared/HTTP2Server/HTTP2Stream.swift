/// Per-stream state of one connection, touched only by that connection's event loop.
final class HTTP2Stream {
    let id: Int32
    /// When the request's HEADERS arrived: the whole request must arrive within the request timeout.
    let openedAt = ContinuousClock.now
    var method = ""
    var path = ""
    var headers: [HTTPField] = []
    /// Header bytes counted as SETTINGS_MAX_HEADER_LIST_SIZE counts them (name + value + 32 per field).
    var headerListBytes = 0
    var body: [UInt8] = []
    var bodyLimitExceeded = false
    var bufferBudgetExhausted = false
    /// Bytes this stream holds of the server's `RequestBufferBudget`, given back when it closes.
    var reservedBytes = 0
    /// The request went up to the handler; later DATA is ignored.
    var dispatched = false
    /// The client half-closed the stream (END_STREAM received).
    var requestEnded = false
    /// Where the handler sends the response from; nil until dispatched.
    var writer: HTTP2ResponseWriter?

    /// Response body bytes waiting for nghttp2's data provider, and how much of them went out.
    var outgoing: [UInt8] = []
    var outgoingOffset = 0
    /// Set by the end of the response: trailers to send once `outgoing` is out (empty: the last DATA ends it).
    var outgoingTrailers: [HTTPField]?
    /// The data provider returned NGHTTP2_ERR_DEFERRED and waits for `nghttp2_session_resume_data`.
    var dataDeferred = false
    /// Since when response bytes wait on a zero flow-control window (nil while they flow).
    var windowBlockedSince: ContinuousClock.Instant?

    init(id: Int32) {
        self.id = id
    }

    func request(peer: String) -> HTTP2Request {
        HTTP2Request(
            method: method,
            path: path,
            headers: headers,
            body: body,
            bodyLimitExceeded: bodyLimitExceeded,
            bufferBudgetExhausted: bufferBudgetExhausted,
            peer: peer
        )
    }
}
