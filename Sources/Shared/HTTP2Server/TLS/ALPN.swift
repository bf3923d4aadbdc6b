import COpenSSL

/// Application-Layer Protocol Negotiation (RFC 7301) on the server side: the gRPC port speaks `h2` only.
///
/// A client that offers a list without `h2` (an HTTP/1.1-only client) is refused in the handshake with the
/// `no_application_protocol` alert; a client that offers no list at all is accepted and spoken to in HTTP/2, as
/// RFC 7540 section 3.4 allows for prior knowledge (some probes and proxies send no ALPN).
enum ALPN {
    /// Where `h2` starts in a wire-format protocol list (length-prefixed names), or nil when it is not offered or
    /// the list is malformed.
    static func h2Offset(in list: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        while index < list.count {
            let length = Int(list[index])
            let start = index + 1
            guard length > 0, start + length <= list.count else { return nil }
            if length == 2 && list[start] == UInt8(ascii: "h") && list[start + 1] == UInt8(ascii: "2") {
                return start
            }
            index = start + length
        }
        return nil
    }
}

/// The ALPN selection callback OpenSSL calls during a handshake (a global function: C calls it from the
/// connection's thread).
func selectH2(
    _ ssl: OpaquePointer?,
    _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
    _ outLength: UnsafeMutablePointer<UInt8>?,
    _ offered: UnsafePointer<UInt8>?,
    _ offeredLength: UInt32,
    _ argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let offered, let out, let outLength else { return SSL_TLSEXT_ERR_ALERT_FATAL }
    let list = UnsafeRawBufferPointer(start: offered, count: Int(offeredLength))
    guard let offset = ALPN.h2Offset(in: list) else { return SSL_TLSEXT_ERR_ALERT_FATAL }
    out.pointee = offered + offset
    outLength.pointee = 2
    return SSL_TLSEXT_ERR_OK
}
