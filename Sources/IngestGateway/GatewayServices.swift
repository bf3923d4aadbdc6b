import Shared

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

/// The gRPC server as a service: on shutdown, readiness turns false (heartbeat 410, health NOT_SERVING), then
/// GOAWAY, and in-flight calls finish.
struct GatewayServerService: Service {
    let name = "grpc-server"
    let server: HTTP2Server
    let readiness: Readiness

    func run() async throws {
        try await server.run()
    }

    func shutdown() {
        readiness.set(false)
        server.shutdown()
    }
}
