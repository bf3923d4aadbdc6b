import EventCore
import HTTP2Server

/// The gRPC server as a service: on shutdown, readiness turns false (heartbeat 410, health NOT_SERVING) at once;
/// after `grace` (time for load balancers to notice) the port closes, GOAWAY goes out and in-flight calls finish.
/// The grace timer is a child of `run()`: cancelled with it, and it never outlives the server.
struct GatewayServerService: Service {
    let name = "grpc-server"
    let server: HTTP2Server
    let readiness: Readiness
    let grace: Duration
    private let stopRequested = Latch()

    init(server: HTTP2Server, readiness: Readiness, grace: Duration) {
        self.server = server
        self.readiness = readiness
        self.grace = grace
    }

    func run() async throws {
        // Each child says whether it was the server; the grace timer is cancelled once the server has ended.
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await server.run()
                return true
            }
            group.addTask {
                await stopRequested.wait()
                guard stopRequested.isOpen else { return false }  // cancelled: the server ended by itself
                // Cancellation (the drain deadline) only shortens the grace period: the port closes at once.
                try? await Task.sleep(for: grace)
                server.shutdown()
                return false
            }
            while let serverEnded = try await group.next() {
                if serverEnded { group.cancelAll() }
            }
        }
    }

    func shutdown() {
        readiness.set(false)
        stopRequested.open()
    }
}
