public import EventCore

/// Where the spool lives and how large it may grow.
public struct SpoolConfiguration: Sendable {
    /// `SPOOL_DIR`: the directory of segment files, created if missing. Default `spool`, relative to the working
    /// directory. Must be on a local file system that honours fsync, and used by one process at a time (a lock
    /// file enforces it).
    public var directory: String
    /// `SPOOL_MAX_BYTES`: the total size of all segments; an append that would exceed it fails with `full`.
    /// Default 1 GiB.
    public var maxBytes: Int
    /// `SPOOL_SEGMENT_BYTES`: a segment is closed and a new one started when the next record would exceed this.
    /// Default 16 MiB. A single record larger than this gets a segment of its own.
    public var segmentBytes: Int
    /// Test seam: called on the writer thread just before each group fsync, with the number of records it
    /// makes durable. Production code leaves it nil.
    public var beforeSync: (@Sendable (_ records: Int) -> Void)?

    public init(
        directory: String = "spool",
        maxBytes: Int = 1 << 30,
        segmentBytes: Int = 16 << 20,
        beforeSync: (@Sendable (_ records: Int) -> Void)? = nil
    ) {
        self.directory = directory
        self.maxBytes = maxBytes
        self.segmentBytes = segmentBytes
        self.beforeSync = beforeSync
    }

    /// Reads `SPOOL_DIR`, `SPOOL_MAX_BYTES` and `SPOOL_SEGMENT_BYTES` (plain byte counts).
    public init(environment env: Environment) throws {
        self.init()
        directory = env.string("SPOOL_DIR", default: directory)
        maxBytes = try env.int("SPOOL_MAX_BYTES", default: maxBytes, in: 4096...(1 << 50))
        segmentBytes = try env.int("SPOOL_SEGMENT_BYTES", default: segmentBytes, in: 4096...(1 << 30))
    }
}
