@testable import GRPCServer
@testable import HTTP2Server

/// Builds random HTTP/2 input for the fuzz tests: plausible frames (a gRPC request's HEADERS with literal HPACK
/// fields, DATA with gRPC framing, control frames) mixed with arbitrary frame types, flags and payloads.
enum HTTP2FuzzFrames {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
    static let paths = ["/test.Echo/echo", "/test.Echo/watch", "/event.EventService/dispatch", "/missing", ""]

    static func configuration(_ random: inout SeededRandom) -> HTTP2ServerConfiguration {
        var configuration = HTTP2ServerConfiguration()
        configuration.maxRequestBodyBytes = 2048 + 5
        configuration.maxHeaderListBytes = [512, 4096, 16384][random.next(upTo: 3)]
        configuration.requestTimeout = .milliseconds(200)
        return configuration
    }

    static func frame(_ type: UInt8, _ flags: UInt8, _ stream: UInt32, _ payload: [UInt8]) -> [UInt8] {
        let length = UInt32(payload.count)
        return [
            UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8),
            UInt8(truncatingIfNeeded: length),
            type, flags,
            UInt8(truncatingIfNeeded: stream >> 24), UInt8(truncatingIfNeeded: stream >> 16),
            UInt8(truncatingIfNeeded: stream >> 8), UInt8(truncatingIfNeeded: stream),
        ] + payload
    }

    /// HPACK "literal header field without indexing, new name", no Huffman coding.
    static func literal(_ name: String, _ value: String) -> [UInt8] {
        [0x00] + integer(name.utf8.count) + Array(name.utf8) + integer(value.utf8.count) + Array(value.utf8)
    }

    /// HPACK integer with a 7-bit prefix (the H bit left 0).
    static func integer(_ value: Int) -> [UInt8] {
        guard value >= 127 else { return [UInt8(value)] }
        var bytes: [UInt8] = [127]
        var rest = value - 127
        while rest >= 128 {
            bytes.append(UInt8(rest % 128 + 128))
            rest /= 128
        }
        return bytes + [UInt8(rest)]
    }

    static func requestHeaders(_ random: inout SeededRandom) -> [UInt8] {
        var fields = [
            literal(":method", random.next(upTo: 8) == 0 ? "GET" : "POST"), literal(":scheme", "http"),
            literal(":path", paths[random.next(upTo: paths.count)]), literal(":authority", "fuzz"),
            literal("content-type", random.next(upTo: 6) == 0 ? "text/plain" : "application/grpc"),
        ]
        if random.next(upTo: 3) == 0 {
            fields.append(literal("grpc-timeout", ["1m", "100m", "1S", "x"][random.next(upTo: 4)]))
        }
        if random.next(upTo: 4) == 0 {
            fields.append(literal("grpc-encoding", ["gzip", "identity", "br"][random.next(upTo: 3)]))
        }
        if random.next(upTo: 8) == 0 {
            fields.append(literal("x-pad", String(repeating: "p", count: random.next(upTo: 6000))))
        }
        return fields.flatMap { $0 }
    }

    static func grpcBody(_ random: inout SeededRandom) -> [UInt8] {
        let message = random.bytes(random.next(upTo: random.next(upTo: 4) == 0 ? 3000 : 64))
        var framed = GRPCFraming.frame(random.next(upTo: 5) == 0 ? GRPCGzip.compress(message) : message)
        if random.next(upTo: 5) == 0 { framed[0] = UInt8(random.next(upTo: 3)) }
        return framed
    }

    /// The preface, SETTINGS, then up to 24 frames on a few streams.
    static func sequence(_ random: inout SeededRandom) -> [UInt8] {
        var bytes = preface + frame(4, 0, 0, [])
        for _ in 0..<random.next(upTo: 24) + 1 {
            let stream = UInt32([1, 3, 5, 7, 9, 2, 0, 0x7fff_ffff][random.next(upTo: 8)])
            let flags = UInt8(truncatingIfNeeded: random.next())
            switch random.next(upTo: 10) {
            case 0, 1, 2:
                bytes += frame(
                    1,
                    random.next(upTo: 4) == 0 ? flags : 0x4 | UInt8(random.next(upTo: 2)),
                    stream,
                    requestHeaders(&random)
                )
            case 3, 4: bytes += frame(0, random.next(upTo: 2) == 0 ? 1 : 0, stream, grpcBody(&random))
            case 5: bytes += frame(8, 0, UInt32(random.next(upTo: 2)) * stream, random.bytes(4))  // WINDOW_UPDATE
            case 6: bytes += frame(3, 0, stream, random.bytes(4))  // RST_STREAM
            case 7: bytes += frame(6, UInt8(random.next(upTo: 2)), 0, random.bytes(8))  // PING
            case 8: bytes += frame(4, 0, 0, random.bytes(6 * random.next(upTo: 4)))  // SETTINGS
            default: bytes += frame(UInt8(random.next(upTo: 12)), flags, stream, random.bytes(random.next(upTo: 40)))
            }
        }
        return bytes
    }

    /// Flips, inserts, deletes or truncates a few bytes (or nothing, to keep well-formed input in the mix).
    static func mutate(_ bytes: inout [UInt8], _ random: inout SeededRandom) {
        for _ in 0..<random.next(upTo: 4) where !bytes.isEmpty {
            let index = random.next(upTo: bytes.count)
            switch random.next(upTo: 4) {
            case 0: bytes[index] ^= UInt8(1 << random.next(upTo: 8))
            case 1: bytes[index] = UInt8(truncatingIfNeeded: random.next())
            case 2: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: index)
            default: bytes.removeSubrange(index...)
            }
        }
    }

    static func request(_ random: inout SeededRandom) -> HTTP2Request {
        var headers = [HTTPField("content-type", random.next(upTo: 8) == 0 ? "application/json" : "application/grpc")]
        if random.next(upTo: 3) == 0 {
            headers.append(HTTPField("grpc-timeout", ["1m", "5n", "99999999H", "1"][random.next(upTo: 4)]))
        }
        if random.next(upTo: 3) == 0 {
            headers.append(HTTPField("grpc-encoding", ["gzip", "identity", "deflate"][random.next(upTo: 3)]))
        }
        var body = random.next(upTo: 4) == 0 ? random.bytes(random.next(upTo: 100)) : grpcBody(&random)
        mutate(&body, &random)
        var request = HTTP2Request(
            method: random.next(upTo: 10) == 0 ? "PUT" : "POST",
            path: paths[random.next(upTo: paths.count)],
            headers: headers,
            body: body
        )
        request.bodyLimitExceeded = random.next(upTo: 20) == 0
        return request
    }
}
