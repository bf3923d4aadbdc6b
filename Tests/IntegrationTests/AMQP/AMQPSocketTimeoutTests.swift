import EventCore
import Glibc
import Testing

@testable import AMQPClient

/// A send to a broker that stopped reading must not block the publishing thread forever (rabbitmq-c never times
/// a send out): the publisher's socket carries TCP_USER_TIMEOUT of twice the heartbeat, and none without
/// heartbeats.
@Suite("AMQP socket timeouts", .serialized, .needsRabbitMQ)
struct AMQPSocketTimeoutTests {
    @Test(arguments: [(Duration.seconds(30), UInt32(60_000)), (.zero, 0)])
    func unacknowledgedSendsCloseTheSocketAfterTwiceTheHeartbeat(heartbeat: Duration, expected: UInt32) async throws {
        guard TestServers.rabbitAvailable() else { return }
        var configuration = AMQPTestSupport.configuration()
        configuration.heartbeat = heartbeat
        let publisher = AMQPPublisher(configuration: configuration, declarations: [], logger: AMQPTestSupport.logger)
        publisher.start()
        defer { publisher.shutdown() }
        #expect(try await AMQPTestSupport.eventually { publisher.isConnected })
        // Read under the owner's lock: the thread cannot close the descriptor meanwhile.
        let timeout = publisher.owner.withLock { state -> UInt32? in
            guard let socket = state.socket else { return nil }
            var value: UInt32 = 0
            var size = socklen_t(MemoryLayout<UInt32>.size)
            guard getsockopt(socket, Int32(IPPROTO_TCP), TCP_USER_TIMEOUT, &value, &size) == 0 else { return nil }
            return value
        }
        #expect(timeout == expected)
    }
}
