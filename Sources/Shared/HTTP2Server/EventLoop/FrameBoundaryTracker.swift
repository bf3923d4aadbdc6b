/// Follows the client's byte stream frame by frame (the 24-byte preface, then 9-byte headers and their payloads)
/// to tell whether a frame is half-received, without relying on which frames nghttp2 reports (it ignores some,
/// such as DATA on a stream it reset). The trickle limit (`FRAME_TIMEOUT`) counts from the first byte of a frame
/// that is not complete yet.
struct FrameBoundaryTracker {
    private var prefaceLeft = 24
    private var headerFilled = 0
    private var length = 0
    private var payloadLeft = 0

    /// Advances over `bytes`: whether a frame (or the preface) completed among them, and whether they end exactly
    /// between two frames.
    mutating func advance(_ bytes: UnsafeRawBufferPointer) -> (completed: Bool, atBoundary: Bool) {
        var index = 0
        var completed = false
        while index < bytes.count {
            if prefaceLeft > 0 || payloadLeft > 0 {
                let take = min(prefaceLeft > 0 ? prefaceLeft : payloadLeft, bytes.count - index)
                index += take
                if prefaceLeft > 0 {
                    prefaceLeft -= take
                    completed = completed || prefaceLeft == 0
                } else {
                    payloadLeft -= take
                    completed = completed || payloadLeft == 0
                }
                continue
            }
            if headerFilled < 3 { length = length << 8 | Int(bytes[index]) }
            headerFilled += 1
            index += 1
            if headerFilled == 9 {
                payloadLeft = length
                headerFilled = 0
                length = 0
                completed = completed || payloadLeft == 0
            }
        }
        return (completed, prefaceLeft == 0 && headerFilled == 0 && payloadLeft == 0)
    }
}
