/// What the TLS port answers a client that speaks plaintext to it, chosen by the first bytes it sent: the
/// answer tells the client's user to connect with TLS instead of leaving them with a bare disconnection.
enum PlaintextRefusal {
    static let advice = "this port requires TLS: connect with TLS (a secure gRPC channel, grpcs://, https://)"

    /// The first byte of every TLS connection: a handshake record.
    static let tlsHandshakeRecord: UInt8 = 0x16

    /// The bytes to send before closing: an HTTP/2 client (its connection preface `PRI * HTTP/2.0`) gets an empty
    /// SETTINGS then GOAWAY with INADEQUATE_SECURITY and the advice as debug data; an HTTP/1 client (a request
    /// line) gets `400 Bad Request` with the advice; anything else gets nothing.
    static func answer(toFirstBytes prefix: [UInt8]) -> [UInt8] {
        if prefix.starts(with: Array("PRI ".utf8)) { return http2Goaway() }
        if let first = prefix.first, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) {
            let body = advice + "\n"
            let head =
                "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)"
                + "\r\nConnection: close\r\n\r\n"
            return Array((head + body).utf8)
        }
        return []
    }

    /// SETTINGS (empty) then GOAWAY(last stream 0, INADEQUATE_SECURITY = 0xc, debug data = the advice).
    private static func http2Goaway() -> [UInt8] {
        let debug = Array(advice.utf8)
        var frames = frameHeader(length: 8 + debug.count, type: 0x7)
        frames += [0, 0, 0, 0, 0, 0, 0, 0x0c]
        frames += debug
        return frames
    }

    /// A 9-byte HTTP/2 frame header on stream 0 with no flags.
    private static func frameHeader(length: Int, type: UInt8) -> [UInt8] {
        [
            UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8),
            UInt8(truncatingIfNeeded: length), type, 0, 0, 0, 0, 0,
        ]
    }
}
