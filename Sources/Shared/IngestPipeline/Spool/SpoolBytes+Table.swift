import AMQPClient

/// AMQP field tables in spool payloads: entry count, then per entry (keys sorted) the key and a tagged value.
/// Tags: 0 string, 1 int64, 2 bool, 3 double (IEEE bits), 4 timestamp, 5 bytes, 6 array, 7 table, 8 void.
extension SpoolByteWriter {
    mutating func table(_ table: AMQPTable) {
        uint32(UInt32(table.count))
        for key in table.keys.sorted() {
            string(key)
            value(table[key] ?? .void)
        }
    }

    mutating func value(_ value: AMQPFieldValue) {
        switch value {
        case .string(let text):
            byte(0)
            string(text)
        case .int64(let number):
            byte(1)
            uint64(UInt64(bitPattern: number))
        case .bool(let flag):
            byte(2)
            byte(flag ? 1 : 0)
        case .double(let number):
            byte(3)
            uint64(number.bitPattern)
        case .timestamp(let seconds):
            byte(4)
            uint64(seconds)
        case .bytes(let raw):
            byte(5)
            data(raw)
        case .array(let values):
            byte(6)
            uint32(UInt32(values.count))
            for element in values { self.value(element) }
        case .table(let nested):
            byte(7)
            table(nested)
        case .void: byte(8)
        }
    }
}

extension SpoolByteReader {
    /// Nesting deeper than this is damage, not data (it bounds the recursion).
    static let maxDepth = 32

    mutating func table(depth: Int) throws(SpoolError) -> AMQPTable {
        guard depth < Self.maxDepth else { throw SpoolError.corrupt("tables nested deeper than \(Self.maxDepth)") }
        let count = Int(try uint32())
        var table: AMQPTable = [:]
        for _ in 0..<count {
            let key = try string()
            table[key] = try value(depth: depth + 1)
        }
        return table
    }

    mutating func value(depth: Int) throws(SpoolError) -> AMQPFieldValue {
        guard depth < Self.maxDepth else { throw SpoolError.corrupt("values nested deeper than \(Self.maxDepth)") }
        let tag = try byte()
        switch tag {
        case 0: return .string(try string())
        case 1: return .int64(Int64(bitPattern: try uint64()))
        case 2: return .bool(try byte() != 0)
        case 3: return .double(Double(bitPattern: try uint64()))
        case 4: return .timestamp(try uint64())
        case 5: return .bytes(Array(try data()))
        case 6:
            let count = Int(try uint32())
            var values: [AMQPFieldValue] = []
            for _ in 0..<count { values.append(try value(depth: depth + 1)) }
            return .array(values)
        case 7: return .table(try table(depth: depth + 1))
        case 8: return .void
        default: throw SpoolError.corrupt("unknown field value tag \(tag)")
        }
    }
}
