import Foundation

/// The POSIX calls the spool makes, each throwing `SpoolError.io` with the path, the operation and `errno`.
enum SpoolFileOps {
    static func openForAppend(_ path: String, create: Bool) throws(SpoolError) -> Int32 {
        let flags = O_WRONLY | O_APPEND | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0)
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw failure("open", path) }
        return fd
    }

    /// Writes all of `bytes`, retrying on short writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SpoolError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw failure("write", path)
            }
            written += result
        }
    }

    static func sync(_ fd: Int32, path: String) throws(SpoolError) {
        guard fsync(fd) == 0 else { throw failure("fsync", path) }
    }

    /// Makes a created, renamed or removed directory entry durable.
    static func syncDirectory(_ path: String) throws(SpoolError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", path) }
        defer { close(fd) }
        try sync(fd, path: path)
    }

    /// Cuts the file at `size` and makes the new length durable.
    static func truncate(_ path: String, to size: Int) throws(SpoolError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", path) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(size)) == 0 else { throw failure("ftruncate", path) }
        try sync(fd, path: path)
    }

    static func remove(_ path: String) throws(SpoolError) {
        guard unlink(path) == 0 else { throw failure("unlink", path) }
    }

    static func rename(_ from: String, to: String) throws(SpoolError) {
        guard Glibc.rename(from, to) == 0 else { throw failure("rename", from) }
    }

    static func readAll(_ path: String) throws(SpoolError) -> [UInt8] {
        do {
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw SpoolError(code: .io, message: "cannot read spool file \(path); check the disk", cause: error)
        }
    }

    /// Writes `bytes` to `path` through a temporary file and a rename, so readers see the old or the new content.
    static func replace(_ path: String, with bytes: [UInt8]) throws(SpoolError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("open", temporary) }
        defer { close(fd) }
        try writeAll(fd, bytes, path: temporary)
        try rename(temporary, to: path)
    }

    /// Writes `bytes` to a new file at `path` (through a temporary file and a rename), fsyncs the file and its
    /// directory: once it returns, the file survives a crash.
    static func writeDurably(_ path: String, _ bytes: [UInt8]) throws(SpoolError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("open", temporary) }
        do {
            try writeAll(fd, bytes, path: temporary)
            try sync(fd, path: temporary)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        try rename(temporary, to: path)
        try syncDirectory((path as NSString).deletingLastPathComponent)
    }

    /// The file's modification time in milliseconds since the Unix epoch (nil when it cannot be read).
    static func modificationMillis(_ path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let millis = Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
        return UInt64(clamping: max(0, millis))
    }

    static func failure(_ operation: String, _ path: String) -> SpoolError {
        let code = errno
        return SpoolError(
            code: .io,
            message: "\(operation) \(path) failed: \(String(cString: strerror(code))) (errno \(code)); check the "
                + "spool directory's disk space and permissions"
        )
    }
}
