import Synchronization

/// Where log lines go: a file descriptor (standard error), or memory for tests.
///
/// Writing a log line never stops the process: the line goes out whole with `write(2)` under a lock, and when the
/// descriptor refuses it (a full disk, a closed pipe, a non-blocking descriptor that is full) the line is dropped
/// and counted in `droppedLines` instead of trapping. Creating a descriptor sink makes the process ignore SIGPIPE
/// (see `DescriptorWriter`), so a closed pipe is an `EPIPE` error, not a fatal signal.
final class LogSink: Sendable {
    static let standardError = LogSink(descriptor: 2)

    /// The descriptor written to; nil when lines are captured in memory.
    private let descriptor: Int32?
    /// Guards writes to the descriptor (one whole line at a time) and the captured lines.
    private let lines = Mutex<[String]>([])
    private let dropped = Atomic<Int>(0)

    /// A sink writing to `descriptor` (standard error in production; a pipe or `/dev/full` in tests).
    init(descriptor: Int32) {
        DescriptorWriter.ignoreBrokenPipeSignal()
        self.descriptor = descriptor
    }

    private init() {
        descriptor = nil
    }

    static func capturing() -> LogSink {
        LogSink()
    }

    var captured: [String] {
        lines.withLock { $0 }
    }

    /// Lines the descriptor refused so far.
    var droppedLines: Int { dropped.load(ordering: .relaxed) }

    func write(_ line: String) {
        lines.withLock { lines in
            guard let descriptor else {
                lines.append(line)
                return
            }
            if !DescriptorWriter.writeAll(Array((line + "\n").utf8), to: descriptor) {
                dropped.wrappingAdd(1, ordering: .relaxed)
            }
        }
    }
}
