/// One piece of a response on its way to the connection thread; pieces keep their order.
enum HTTP2ResponsePart: Sendable {
    /// `:status` and header fields; `endsStream` when nothing follows (a gRPC trailers-only answer).
    case head(status: Int, headers: [HTTPField], endsStream: Bool)
    case data([UInt8])
    /// Ends the stream with trailer fields, or with an empty DATA frame when there are none.
    case end(trailers: [HTTPField])
}
