/// What the checks found about one event, for writing it.
struct CheckedEvent {
    /// The routing key: the event's type, or the default type.
    let type: UnsafeBufferPointer<UInt8>
    let original: Int64
    let timestamp: Int64
    let corrected: Bool
    let inputBytes: Int
}
