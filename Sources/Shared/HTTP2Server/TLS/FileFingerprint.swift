import Foundation

/// What identifies the current contents of some files without reading them: device, inode, size and change
/// times, through symbolic links (a Kubernetes secret volume swaps a link to a new directory). A file that
/// cannot be examined counts by its error, so it appearing again is a change too.
struct FileFingerprint: Equatable, Sendable {
    private struct Entry: Equatable, Sendable {
        var device: UInt64 = 0
        var inode: UInt64 = 0
        var size: Int64 = 0
        var modified: Int64 = 0
        var changed: Int64 = 0
        var error: Int32 = 0
    }

    private let entries: [Entry]

    init(paths: [String]) {
        entries = paths.map { path in
            var info = stat()
            guard stat(path, &info) == 0 else { return Entry(error: errno) }
            return Entry(
                device: UInt64(info.st_dev),
                inode: UInt64(info.st_ino),
                size: Int64(info.st_size),
                modified: Int64(info.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_mtim.tv_nsec),
                changed: Int64(info.st_ctim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_ctim.tv_nsec)
            )
        }
    }
}
