import CRabbitMQ

/// Scratch memory for building C structures (tables, byte strings) that rabbitmq-c reads during one call.
/// Owned by one thread; `reset` frees everything at once.
final class AMQPArena {
    fileprivate let pool: UnsafeMutablePointer<amqp_pool_t>

    init(pageSize: Int = 16 * 1024) {
        pool = .allocate(capacity: 1)
        init_amqp_pool(pool, pageSize)
    }

    deinit {
        empty_amqp_pool(pool)
        pool.deallocate()
    }

    /// Frees everything allocated since the last reset, keeping one page for reuse.
    func reset() {
        recycle_amqp_pool(pool)
    }

    /// Uninitialized memory for `count` (> 0) values of `T`; valid until `reset`.
    func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        precondition(count > 0, "arena allocations are never empty")
        guard let raw = amqp_pool_alloc(pool, MemoryLayout<T>.stride * count) else {
            fatalError("amqp_pool_alloc failed: out of memory")
        }
        return raw.bindMemory(to: T.self, capacity: count)
    }

    /// A copy of `bytes` valid until `reset`.
    func bytes<C: Collection<UInt8>>(_ bytes: C) -> amqp_bytes_t {
        guard !bytes.isEmpty else { return eventgrpc_amqp_empty_bytes() }
        let target = allocate(UInt8.self, count: bytes.count)
        _ = UnsafeMutableBufferPointer(start: target, count: bytes.count).initialize(from: bytes)
        return eventgrpc_amqp_bytes(target, bytes.count)
    }

    /// A copy of the UTF-8 of `string` valid until `reset`.
    func bytes(_ string: String) -> amqp_bytes_t {
        bytes(Array(string.utf8))
    }
}

extension amqp_bytes_t {
    /// The bytes as a Swift array (copied).
    var array: [UInt8] {
        guard len > 0, let start = self.bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: start, count: len))
    }

    /// The bytes decoded as UTF-8 (invalid sequences repaired).
    var string: String {
        String(decoding: array, as: UTF8.self)
    }
}

extension AMQPArena {
    /// Lends the underlying pool to a rabbitmq-c call that allocates from it.
    func withPool<R>(_ body: (UnsafeMutablePointer<amqp_pool_t>) throws -> R) rethrows -> R {
        try body(pool)
    }
}
