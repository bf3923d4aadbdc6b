/// A long-running part of a process (a server, a publisher, a consumer pool).
///
/// `run()` does the work and returns once the service has stopped; `shutdown()` asks it to stop
/// gracefully (finish what is in flight, refuse new work) and returns at once.
public protocol Service: Sendable {
    /// A short name for logs, for example `grpc-server`.
    var name: String { get }
    func run() async throws
    func shutdown()
}
