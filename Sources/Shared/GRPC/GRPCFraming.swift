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

    /// The single message of a unary request body; throws the status the caller must get otherwise.
    static func singleMessage(in body: [UInt8], maxLength: Int) throws(GRPCStatus) -> ArraySlice<UInt8> {
        guard body.count >= 5 else {
            throw GRPCStatus(
                .internalError, body.isEmpty ? "the request has no message" : "the request ends inside a message prefix")
        }
        guard body[0] == 0 else {
            throw GRPCStatus(.internalError, "the message is marked compressed but no grpc-encoding was negotiated")
        }
        let length = Int(body[1]) << 24 | Int(body[2]) << 16 | Int(body[3]) << 8 | Int(body[4])
        guard length <= maxLength else {
            throw GRPCStatus(.resourceExhausted, "message of \(length) bytes exceeds the limit of \(maxLength) bytes")
        }
        guard body.count - 5 == length else {
            throw GRPCStatus(
                body.count - 5 < length ? .internalError : .unimplemented,
                body.count - 5 < length
                    ? "the request ends before its message does" : "a unary method takes exactly one message")
        }
        return body[5...]
    }
}
