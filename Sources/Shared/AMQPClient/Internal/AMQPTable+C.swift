import CRabbitMQ

/// Conversion between `AMQPTable` and rabbitmq-c's `amqp_table_t`.
extension AMQPFieldValue {
    /// Reads a C field value (deep copy). Integer kinds widen to `int64`; `u64` above `Int64.max` becomes a string.
    init(_ value: amqp_field_value_t) {
        let kind = amqp_field_value_kind_t(UInt32(value.kind))
        let v = value.value
        switch kind {
        case AMQP_FIELD_KIND_BOOLEAN: self = .bool(v.boolean != 0)
        case AMQP_FIELD_KIND_I8: self = .int64(Int64(v.i8))
        case AMQP_FIELD_KIND_U8: self = .int64(Int64(v.u8))
        case AMQP_FIELD_KIND_I16: self = .int64(Int64(v.i16))
        case AMQP_FIELD_KIND_U16: self = .int64(Int64(v.u16))
        case AMQP_FIELD_KIND_I32: self = .int64(Int64(v.i32))
        case AMQP_FIELD_KIND_U32: self = .int64(Int64(v.u32))
        case AMQP_FIELD_KIND_I64: self = .int64(v.i64)
        case AMQP_FIELD_KIND_U64: self = Int64(exactly: v.u64).map { .int64($0) } ?? .string(String(v.u64))
        case AMQP_FIELD_KIND_F32: self = .double(Double(v.f32))
        case AMQP_FIELD_KIND_F64: self = .double(v.f64)
        case AMQP_FIELD_KIND_DECIMAL:
            self = .double(Double(v.decimal.value) / pow10(Int(v.decimal.decimals)))
        case AMQP_FIELD_KIND_UTF8: self = .string(v.bytes.string)
        case AMQP_FIELD_KIND_BYTES: self = .bytes(v.bytes.array)
        case AMQP_FIELD_KIND_TIMESTAMP: self = .timestamp(v.u64)
        case AMQP_FIELD_KIND_TABLE: self = .table(AMQPTable(v.table))
        case AMQP_FIELD_KIND_ARRAY:
            let count = Int(v.array.num_entries)
            guard count > 0, let entries = v.array.entries else {
                self = .array([])
                return
            }
            self = .array((0..<count).map { AMQPFieldValue(entries[$0]) })
        default: self = .void
        }
    }

    /// A C field value whose memory lives in `arena`.
    func cValue(in arena: AMQPArena) -> amqp_field_value_t {
        var result = amqp_field_value_t()
        func kind(_ kind: amqp_field_value_kind_t) { result.kind = UInt8(kind.rawValue) }
        switch self {
        case .string(let string):
            kind(AMQP_FIELD_KIND_UTF8)
            result.value.bytes = arena.bytes(string)
        case .int64(let int):
            kind(AMQP_FIELD_KIND_I64)
            result.value.i64 = int
        case .bool(let bool):
            kind(AMQP_FIELD_KIND_BOOLEAN)
            result.value.boolean = bool ? 1 : 0
        case .double(let double):
            kind(AMQP_FIELD_KIND_F64)
            result.value.f64 = double
        case .timestamp(let seconds):
            kind(AMQP_FIELD_KIND_TIMESTAMP)
            result.value.u64 = seconds
        case .bytes(let bytes):
            kind(AMQP_FIELD_KIND_BYTES)
            result.value.bytes = arena.bytes(bytes)
        case .array(let values):
            kind(AMQP_FIELD_KIND_ARRAY)
            result.value.array = amqp_array_t(num_entries: 0, entries: nil)
            guard !values.isEmpty else { break }
            let entries = arena.allocate(amqp_field_value_t.self, count: values.count)
            for (index, value) in values.enumerated() {
                (entries + index).initialize(to: value.cValue(in: arena))
            }
            result.value.array = amqp_array_t(num_entries: Int32(values.count), entries: entries)
        case .table(let table):
            kind(AMQP_FIELD_KIND_TABLE)
            result.value.table = table.cTable(in: arena)
        case .void:
            kind(AMQP_FIELD_KIND_VOID)
        }
        return result
    }
}

private func pow10(_ exponent: Int) -> Double {
    (0..<exponent).reduce(1.0) { value, _ in value * 10 }
}

extension Dictionary where Key == String, Value == AMQPFieldValue {
    /// Reads a C table (deep copy). A repeated key keeps its last value.
    init(_ table: amqp_table_t) {
        self.init()
        guard table.num_entries > 0, let entries = table.entries else { return }
        for index in 0..<Int(table.num_entries) {
            self[entries[index].key.string] = AMQPFieldValue(entries[index].value)
        }
    }

    /// A C table whose memory lives in `arena`, keys sorted so the encoding is deterministic.
    func cTable(in arena: AMQPArena) -> amqp_table_t {
        guard !isEmpty else { return eventgrpc_amqp_empty_table() }
        let entries = arena.allocate(amqp_table_entry_t.self, count: count)
        for (index, key) in keys.sorted().enumerated() {
            let entry = amqp_table_entry_t(key: arena.bytes(key), value: self[key]!.cValue(in: arena))
            (entries + index).initialize(to: entry)
        }
        return amqp_table_t(num_entries: Int32(count), entries: entries)
    }
}
