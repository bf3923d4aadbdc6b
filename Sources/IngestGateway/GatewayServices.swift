import AMQPClient
import EventCore
import HTTP2Server

/// The publisher as a service: started first, stopped last, so every accepted batch is confirmed before exit.
struct PublisherService: Service {
    let name = "publisher"
    let publisher: AMQPPublisher

    func run() async throws {
        publisher.start()
        await publisher.waitUntilStopped()
    }

    func shutdown() {
        publisher.shutdown()
    }
}

/// The gRPC server as a service: on shutdown, readiness turns false (heartbeat 410, health NOT_SERVING) at once;
/// after `grace` (time for load balancers to notice) the port closes, GOAWAY goes out and in-flight calls finish.
struct GatewayServerService: Service {
    let name = "grpc-server"
    let server: HTTP2Server
    let readiness: Readiness
    let grace: Duration

    func run() async throws {
        try await server.run()
    }

    func shutdown() {
        readiness.set(false)
        guard grace > .zero else {
            server.shutdown()
            return
        }
        Task { [server, grace] in
            try? await Task.sleep(for: grace)  // cancellation only shortens the grace period
            server.shutdown()
        }
    }
}
