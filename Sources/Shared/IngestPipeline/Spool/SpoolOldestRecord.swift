import Synchronization

/// When the oldest record waiting for replay was spooled, shared between the spool (which sets it) and the
/// metrics registry (which renders its age).
final class SpoolOldestRecord: Sendable {
    /// Milliseconds since the Unix epoch; -1 while no record waits.
    private let millis = Atomic<Int64>(-1)

    func set(millis value: UInt64?) {
        millis.store(value.map { Int64(clamping: $0) } ?? -1, ordering: .relaxed)
    }

    /// Seconds since then, 0 when no record waits (or the clock went back).
    func ageSeconds(nowMillis: UInt64) -> Double {
        let oldest = millis.load(ordering: .relaxed)
        guard oldest >= 0 else { return 0 }
        let now = Int64(clamping: nowMillis)
        return Double(max(0, now - oldest)) / 1000
    }
}
