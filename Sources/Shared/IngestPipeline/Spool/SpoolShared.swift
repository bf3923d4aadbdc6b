/// Work for the writer thread.
enum SpoolCommand: Sendable {
    /// Write `record` (already framed, spooled at `spooledAtMillis`) and fsync it, then resume.
    case append(record: [UInt8], spooledAtMillis: UInt64, continuation: CheckedContinuation<Void, any Error>)
    /// Close the active segment so the replayer may read it whole; the next append starts a new one.
    case seal(continuation: CheckedContinuation<Void, any Error>)
}

/// What callers, the writer thread and the replayer share, under the spool's `ThreadOwner` (whose phase says
/// whether appends are taken).
struct SpoolShared: Sendable {
    var pending: [SpoolCommand] = []
    /// Oldest first; only the last one may be unsealed (the writer's active segment).
    var segments: [SpoolSegment]
    var nextSegmentID: UInt64

    init(segments: [SpoolSegment], nextSegmentID: UInt64) {
        self.segments = segments
        self.nextSegmentID = nextSegmentID
    }

    var totalBytes: Int { segments.reduce(0) { $0 + $1.bytes } }
}

/// A snapshot of the spool's size.
public struct SpoolStatus: Sendable, Equatable {
    /// Durable bytes in all segments.
    public var bytes: Int
    /// Segment files, including an active one.
    public var segments: Int
    /// True when no record waits for replay.
    public var isEmpty: Bool { bytes == 0 }
}
