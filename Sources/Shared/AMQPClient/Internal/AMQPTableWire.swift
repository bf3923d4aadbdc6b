import CRabbitMQ

/// AMQP field-table wire encoding through rabbitmq-c (`amqp_encode_table`/`amqp_decode_table`): the same
/// conversions the publisher and consumer use, checkable without a broker.
enum AMQPTableWire {
    /// The table's wire bytes (without the 4-byte length prefix that a frame puts before it).
    static func encode(_ table: AMQPTable) throws(AMQPError) -> [UInt8] {
        let arena = AMQPArena()
        var cTable = table.cTable(in: arena)
        var capacity = 4096
        while true {
            var buffer = [UInt8](repeating: 0, count: capacity)
            var offset = 0
            let status = buffer.withUnsafeMutableBytes { raw in
                amqp_encode_table(eventgrpc_amqp_bytes(raw.baseAddress, raw.count), &cTable, &offset)
            }
            if status == AMQP_STATUS_OK.rawValue {
                // amqp_encode_table writes a 4-byte length first.
                return Array(buffer[4..<offset])
            }
            guard status == AMQP_STATUS_TABLE_TOO_BIG.rawValue, capacity < 1 << 26 else {
                throw AMQPError(code: .protocolError, message: "cannot encode field table: \(errorString(status))")
            }
            capacity *= 4
        }
    }

    /// Decodes wire bytes (without the length prefix) into a table.
    static func decode(_ bytes: [UInt8]) throws(AMQPError) -> AMQPTable {
        let arena = AMQPArena()
        var framed = withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { Array($0) }
        framed += bytes
        var cTable = amqp_table_t()
        var offset = 0
        let status = framed.withUnsafeMutableBytes { raw in
            arena.withPool { pool in
                amqp_decode_table(eventgrpc_amqp_bytes(raw.baseAddress, raw.count), pool, &cTable, &offset)
            }
        }
        guard status == AMQP_STATUS_OK.rawValue else {
            throw AMQPError(code: .protocolError, message: "cannot decode field table: \(errorString(status))")
        }
        return AMQPTable(cTable)
    }

    private static func errorString(_ status: Int32) -> String {
        String(cString: amqp_error_string2(status))
    }
}
