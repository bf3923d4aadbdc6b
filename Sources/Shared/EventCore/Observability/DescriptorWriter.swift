#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole writes to a file descriptor that fail softly: used for log lines and for what the command line prints.
///
/// Foundation's `FileHandle.write(_:)` traps when the write fails (seen on `/dev/full`), and a write to a pipe
/// whose reader has gone raises SIGPIPE, whose default action ends the process. Here a failed write returns false
/// and the caller drops the text; SIGPIPE is ignored for the whole process (servers send with `MSG_NOSIGNAL` too,
/// so no code of ours relies on the signal; libdispatch does not watch it).
enum DescriptorWriter {
    /// Writes every byte, retrying after a signal interrupts the call and after a short write; false when the
    /// descriptor refuses them (`ENOSPC`, `EPIPE`, `EAGAIN` on a full non-blocking pipe, `EBADF`, ...).
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        ignoreBrokenPipeSignal()
        return bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
    }

    /// Makes a write to a closed pipe or socket fail with `EPIPE` instead of ending the process. Idempotent.
    static func ignoreBrokenPipeSignal() {
        _ = brokenPipeIgnored
    }

    private static let brokenPipeIgnored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()
}
