#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What `/proc/self` says about this process at one moment, as the Prometheus client libraries export it
/// (`process_*` metrics). Linux only: every reading is nil where `/proc` is missing.
struct ProcessStatistics: Sendable, Equatable {
    /// User plus system CPU time, seconds.
    var cpuSeconds: Double
    /// Virtual memory size, bytes.
    var virtualMemoryBytes: Double
    /// Resident set size, bytes.
    var residentMemoryBytes: Double
    var threads: Double
    /// When the process started, seconds since the Unix epoch.
    var startTimeSeconds: Double

    /// Reads `/proc/self/stat` (and `/proc/stat` for the boot time).
    static func read() -> ProcessStatistics? {
        guard let stat = readProcFile("/proc/self/stat"), let boot = bootTimeSeconds else { return nil }
        return parse(
            stat: stat,
            bootTimeSeconds: boot,
            ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))),
            pageBytes: Double(sysconf(Int32(_SC_PAGESIZE)))
        )
    }

    /// Parses a `/proc/PID/stat` line (proc(5)): the fields after the command name's closing parenthesis, which
    /// may itself hold spaces and parentheses.
    static func parse(
        stat: String,
        bootTimeSeconds: Double,
        ticksPerSecond: Double,
        pageBytes: Double
    ) -> ProcessStatistics? {
        guard let close = stat.lastIndex(of: ")"), ticksPerSecond > 0 else { return nil }
        // Field 3 (state) is at index 0.
        let fields = stat[stat.index(after: close)...].split(separator: " ").map { Double($0) }
        func field(_ number: Int) -> Double? {
            let index = number - 3
            return fields.indices.contains(index) ? fields[index] : nil
        }
        guard let user = field(14), let system = field(15), let threads = field(20), let start = field(22),
            let virtual = field(23), let resident = field(24)
        else { return nil }
        return ProcessStatistics(
            cpuSeconds: (user + system) / ticksPerSecond,
            virtualMemoryBytes: virtual,
            residentMemoryBytes: resident * pageBytes,
            threads: threads,
            startTimeSeconds: bootTimeSeconds + start / ticksPerSecond
        )
    }

    /// Descriptors open now, from `/proc/self/fd` (not counting the one used to list it).
    static func openDescriptors() -> Double? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { count += 1 }
        }
        return Double(max(count - 1, 0))
    }

    /// The soft limit on open descriptors, from the `Max open files` line of `/proc/self/limits`.
    static func maxDescriptors() -> Double? {
        guard let limits = readProcFile("/proc/self/limits") else { return nil }
        return parseMaxOpenFiles(limits)
    }

    static func parseMaxOpenFiles(_ limits: String) -> Double? {
        guard let line = limits.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") }) else {
            return nil
        }
        let columns = line.dropFirst("Max open files".count).split(separator: " ")
        guard let soft = columns.first else { return nil }
        return soft == "unlimited" ? Double.infinity : Double(soft)
    }

    /// The `btime` line of `/proc/stat`: when the machine booted, seconds since the epoch (read once).
    private static let bootTimeSeconds: Double? = {
        guard let stat = readProcFile("/proc/stat"),
            let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") })
        else { return nil }
        return Double(line.dropFirst("btime ".count))
    }()

    /// A whole `/proc` file (whose size `stat` reports as 0, so it is read until end of file).
    static func readProcFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += chunk[..<count]
            } else if count < 0 && errno == EINTR {
                continue
            } else if count < 0 {
                return nil
            } else {
                return String(decoding: bytes, as: UTF8.self)
            }
        }
    }
}
