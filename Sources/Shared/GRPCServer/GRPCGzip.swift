import CZlib

/// `grpc-encoding: gzip` (RFC 1952) with zlib. Decompression stops as soon as the output passes the message
/// limit, so a small compressed message cannot inflate into unbounded memory.
enum GRPCGzip {
    private static let chunk = 64 * 1024

    static func decompress(_ compressed: [UInt8], limit: Int) throws(GRPCStatus) -> [UInt8] {
        var stream = z_stream()
        guard eventgrpc_zlib_inflate_init_gzip(&stream) == Z_OK else {
            throw GRPCStatus(.internalError, "cannot start gzip decompression (zlib out of memory)")
        }
        defer { inflateEnd(&stream) }
        var input = compressed
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        var result = Z_OK
        input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = UInt32(source.count)
            while result == Z_OK && output.count <= limit {
                let produced = buffer.withUnsafeMutableBufferPointer { target -> Int in
                    stream.next_out = target.baseAddress
                    stream.avail_out = UInt32(target.count)
                    result = inflate(&stream, Z_NO_FLUSH)
                    return target.count - Int(stream.avail_out)
                }
                output.append(contentsOf: buffer[..<produced])
                if result == Z_BUF_ERROR && produced > 0 { result = Z_OK }
            }
        }
        guard output.count <= limit else {
            throw GRPCStatus(.resourceExhausted, "the decompressed message exceeds the limit of \(limit) bytes")
        }
        guard result == Z_STREAM_END else {
            throw GRPCStatus(.internalError, "the gzip message is corrupt or truncated (zlib status \(result))")
        }
        guard stream.avail_in == 0 else {
            throw GRPCStatus(.internalError, "the gzip message has \(stream.avail_in) bytes after its end")
        }
        return output
    }

    /// Compresses `data` as one gzip member (for clients and tests; the server answers uncompressed).
    static func compress(_ data: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        precondition(eventgrpc_zlib_deflate_init_gzip(&stream, level) == Z_OK, "zlib refused a valid deflate setup")
        defer { deflateEnd(&stream) }
        var input = data
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        var result = Z_OK
        input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = UInt32(source.count)
            while result != Z_STREAM_END {
                let produced = buffer.withUnsafeMutableBufferPointer { target -> Int in
                    stream.next_out = target.baseAddress
                    stream.avail_out = UInt32(target.count)
                    result = deflate(&stream, Z_FINISH)
                    return target.count - Int(stream.avail_out)
                }
                precondition(result == Z_OK || result == Z_STREAM_END || result == Z_BUF_ERROR, "deflate: \(result)")
                output.append(contentsOf: buffer[..<produced])
            }
        }
        return output
    }
}
