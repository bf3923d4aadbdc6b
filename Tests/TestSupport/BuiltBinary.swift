import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A binary of this package, built next to the test bundle (`swift build --build-tests` builds the executables
/// too), run as a whole process: for what only a process shows, such as exit codes and what reaches stdout and
/// stderr.
///
/// Started with `posix_spawn` and awaited on a thread of its own: Foundation's `Process` watches children through
/// libdispatch, whose worker threads were seen to disturb tests in the same process that read `Thread.current.name`,
/// and no blocking wait may occupy Swift's cooperative pool.
public struct BuiltBinary: Sendable {
    /// Where a child's standard output or error goes.
    public enum Destination: Sendable {
        /// A pipe read back into the result.
        case captured
        /// `/dev/full`: every write fails with ENOSPC.
        case deviceFull
        /// A pipe whose read end is closed before the child starts: every write fails with EPIPE (or SIGPIPE).
        case closedPipe
    }

    /// How a run ended.
    public struct Outcome: Sendable {
        /// The exit code, or the signal number when `signalled`.
        public var status: Int32
        /// True when the child was ended by a signal (including the kill at the timeout).
        public var signalled: Bool
        public var output: String
        public var errorOutput: String
    }

    /// Why a child could not be started.
    public struct SpawnError: Error, CustomStringConvertible {
        public var description: String
    }

    public let path: String

    /// The executable `name` in the directory of the running test bundle.
    public init(_ name: String) {
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        path = bundle.deletingLastPathComponent().appendingPathComponent(name).path
    }

    public var exists: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// Runs the binary with exactly `environment` (plus `PATH`), and kills it if it is still running after
    /// `timeout` (a server that started by mistake).
    public func run(
        _ arguments: [String],
        environment: [String: String] = [:],
        output: Destination = .captured,
        errorOutput: Destination = .captured,
        timeout: Duration = .seconds(20)
    ) async throws -> Outcome {
        let child = try spawn(arguments, environment: environment, output: output, errorOutput: errorOutput)
        return await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(returning: child.collect(timeout: timeout))
            }.start()
        }
    }

    private func spawn(
        _ arguments: [String],
        environment: [String: String],
        output: Destination,
        errorOutput: Destination
    ) throws -> Child {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var readEnds: [Int32] = []
        var parentCopies: [Int32] = []
        for (descriptor, destination) in [(Int32(1), output), (2, errorOutput)] {
            switch destination {
            case .deviceFull:
                posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/full", O_WRONLY, 0)
                readEnds.append(-1)
            case .captured, .closedPipe:
                var ends: [Int32] = [-1, -1]
                guard pipe(&ends) == 0 else { throw SpawnError(description: "pipe: errno \(errno)") }
                for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
                posix_spawn_file_actions_adddup2(&actions, ends[1], descriptor)
                parentCopies.append(ends[1])
                if destination == .closedPipe {
                    close(ends[0])
                    readEnds.append(-1)
                } else {
                    readEnds.append(ends[0])
                }
            }
        }
        defer { for descriptor in parentCopies { close(descriptor) } }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp =
            environment.merging(["PATH": "/usr/bin:/bin"]) { own, _ in own }.map { strdup("\($0)=\($1)") }
            + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard result == 0 else {
            for descriptor in readEnds where descriptor >= 0 { close(descriptor) }
            throw SpawnError(description: "posix_spawn \(path): error \(result)")
        }
        return Child(pid: pid, output: readEnds[0], errorOutput: readEnds[1])
    }

    /// A started child and the read ends of its captured pipes (-1 when not captured).
    private struct Child: Sendable {
        let pid: pid_t
        let output: Int32
        let errorOutput: Int32

        /// Reads both pipes to their end (killing the child at `timeout`), then reaps it. Blocks: call it on a
        /// thread of its own.
        func collect(timeout: Duration) -> Outcome {
            let deadline = ContinuousClock.now.advanced(by: timeout)
            var texts: [Int32: [UInt8]] = [:]
            var open = [output, errorOutput].filter { $0 >= 0 }
            var killed = false
            var reaped = false
            var status: Int32 = 0
            while !(reaped && open.isEmpty) {
                if open.isEmpty {
                    usleep(10_000)
                } else {
                    var polls = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
                    _ = poll(&polls, nfds_t(polls.count), 20)
                    for entry in polls where entry.revents != 0 {
                        var buffer = [UInt8](repeating: 0, count: 4096)
                        let count = read(entry.fd, &buffer, buffer.count)
                        if count > 0 {
                            texts[entry.fd, default: []] += buffer[..<count]
                        } else if count == 0 || errno != EINTR {
                            close(entry.fd)
                            open.removeAll { $0 == entry.fd }
                        }
                    }
                }
                if !reaped && waitpid(pid, &status, WNOHANG) == pid { reaped = true }
                if !reaped && !killed && ContinuousClock.now >= deadline {
                    kill(pid, SIGKILL)
                    killed = true
                }
            }
            let signal = status & 0x7f
            return Outcome(
                status: signal == 0 ? (status >> 8) & 0xff : signal,
                signalled: signal != 0,
                output: String(decoding: texts[output] ?? [], as: UTF8.self),
                errorOutput: String(decoding: texts[errorOutput] ?? [], as: UTF8.self)
            )
        }
    }
}
