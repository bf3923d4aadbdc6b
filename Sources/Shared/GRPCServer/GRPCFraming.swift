/// The 5-byte length-prefixed message framing of gRPC: a compressed flag, a 4-byte big-endian length, the bytes.
enum GRPCFraming {
    /// One framed, uncompressed message.
    static func frame(_ message: [UInt8]) -> [UInt8] {
        var framed: [UInt8] = []
        framed.reserveCapacity(message.count + 5)
        let length = UInt32(message.count)
        framed.append(0)
        framed.append(UInt8(truncatingIfNeeded: length >> 24))
        framed.append(UInt8(truncatingIfNeeded: length >> 16))
        framed.append(UInt8(truncatingIfNeeded: length >> 8))
        framed.append(UInt8(truncatingIfNeeded: length))
        framed.append(contentsOf: message)
        return framed
    }

    /// The single message of a unary (or server-streaming) request body, and whether its flag says compressed;
    /// throws the status the caller must get otherwise. The length is checked before the rest is looked at.
    static func singleMessage(
        in body: [UInt8],
        maxLength: Int
    ) throws(GRPCStatus)
        -> (compressed: Bool, payload: ArraySlice<UInt8>)
    {
        guard body.count >= 5 else {
            throw GRPCStatus(
                .internalError,
                body.isEmpty ? "the request has no message" : "the request ends inside a message prefix"
            )
        }
        guard body[0] <= 1 else {
            throw GRPCStatus(.internalError, "the message's compressed flag is \(body[0]); only 0 and 1 are defined")
        }
        let length = Int(body[1]) << 24 | Int(body[2]) << 16 | Int(body[3]) << 8 | Int(body[4])
        guard length <= maxLength else {
            throw GRPCStatus(.resourceExhausted, "message of \(length) bytes exceeds the limit of \(maxLength) bytes")
        }
        guard body.count - 5 == length else {
            throw GRPCStatus(
                body.count - 5 < length ? .internalError : .unimplemented,
                body.count - 5 < length
                    ? "the request ends before its message does" : "this method takes exactly one request message"
            )
        }
        return (body[0] == 1, body[5...])
    }
}
