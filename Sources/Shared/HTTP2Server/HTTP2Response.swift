/// A complete response: headers, an optional body, optional trailers.
///
/// With an empty body and no trailers the stream ends with the HEADERS frame (a gRPC "trailers-only" answer
/// puts its status fields in `headers`).
public struct HTTP2Response: Sendable {
    public var status: Int
    public var headers: [HTTPField]
    public var body: [UInt8]
    public var trailers: [HTTPField]

    public init(status: Int, headers: [HTTPField] = [], body: [UInt8] = [], trailers: [HTTPField] = []) {
        self.status = status
        self.headers = headers
        self.body = body
        self.trailers = trailers
    }
}
