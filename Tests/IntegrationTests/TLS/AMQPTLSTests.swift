import AMQPClient
import EventCore
import Foundation
import Testing

/// AMQPS against the test stack's TLS listener, and each way a TLS connection must be refused with an error that
/// says what to fix. The broker is reached as `localhost`: rabbitmq-c 0.11 matches the host against the
/// certificate's DNS names only (not its IP addresses).
@Suite("AMQPS against the real TLS listener", .serialized, .needsTLSListeners)
struct AMQPTLSTests {
    private func configuration(
        port: Int = TLSTestServers.rabbitTLSPort,
        host: String = "localhost",
        tls: TLSClientSettings? = TLSTestServers.settings()
    ) -> AMQPConfiguration {
        var configuration = AMQPTestSupport.configuration(port: port)
        configuration.host = host
        configuration.tls = tls
        return configuration
    }

    /// Opens a connection (declaring a queue that expires) and returns the queue's depth.
    private func roundTrip(_ configuration: AMQPConfiguration) throws(AMQPError) -> Int? {
        let client = AMQPBlockingClient(configuration: configuration)
        defer { client.close() }
        let (_, queue, declarations) = AMQPTestSupport.topology()
        try client.declare(declarations)
        return try client.readyMessageCount(queue: queue)
    }

    private func refusal(_ configuration: AMQPConfiguration) -> AMQPError? {
        do {
            _ = try roundTrip(configuration)
            return nil
        } catch {
            return error
        }
    }

    @Test func publishesAndReadsOverTLSTrustingTheTestCA() throws {
        let client = AMQPBlockingClient(configuration: configuration())
        defer { client.close() }
        let (exchange, queue, declarations) = AMQPTestSupport.topology(bindingKey: "tls.#")
        try client.declare(declarations)
        try client.publishConfirmed(
            OutgoingMessage(exchange: exchange, routingKey: "tls.event", body: Array("over tls".utf8), messageID: "t1")
        )
        let delivery = try #require(try client.get(queue: queue))
        #expect(delivery.body == Array("over tls".utf8) && delivery.messageID == "t1")
        try client.ack(delivery)
    }

    @Test func offersAClientCertificateWhenGivenOne() throws {
        #expect(try roundTrip(configuration(tls: TLSTestServers.settings(clientCertificate: true))) == 0)
    }

    @Test func aBrokerCertificateFromAnotherCAIsRefused() throws {
        let error = try #require(refusal(configuration(tls: TLSTestServers.settings(ca: "other-ca.pem"))))
        #expect(error.code == .tlsFailed)
        #expect(error.message.contains("RABBIT_CA_FILE") && error.message.contains("not signed by a CA in"))
    }

    @Test func anExpiredBrokerCertificateIsRefused() throws {
        let server = try TestTLSServer(certificate: "expired")
        let error = try #require(refusal(configuration(port: server.port)))
        #expect(error.code == .tlsFailed)
        #expect(error.message.contains("expired"))
    }

    @Test func aCertificateForAnotherHostIsRefusedUnlessTheCheckIsOff() throws {
        let server = try TestTLSServer(certificate: "wrong-host")
        let error = try #require(refusal(configuration(port: server.port)))
        #expect(error.code == .tlsFailed && error.message.contains("RABBIT_TLS_VERIFY_HOSTNAME=0"))
        // With the host-name check off the handshake succeeds; s_server then fails the AMQP handshake.
        var lenient = TLSTestServers.settings()
        lenient.verifyHostname = false
        let later = try #require(refusal(configuration(port: server.port, tls: lenient)))
        #expect(later.code != .tlsFailed)
    }

    @Test func tlsToThePlaintextPortIsRefusedNamingTheTLSPort() throws {
        let error = try #require(refusal(configuration(port: TestServers.rabbitPort)))
        #expect(error.code == .tlsFailed && error.message.contains("TLS port"))
    }

    @Test func plaintextToTheTLSPortIsRefusedSuggestingRabbitTLS() throws {
        let started = ContinuousClock.now
        let error = try #require(refusal(configuration(tls: nil)))
        #expect(error.code == .loginFailed && error.message.contains("RABBIT_TLS=1"))
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func aCAFileThatIsNotPEMIsRefusedAtConnect() throws {
        let error = try #require(refusal(configuration(tls: TLSTestServers.settings(ca: "server.key"))))
        #expect(error.code == .tlsFailed && error.message.contains("cannot load CA certificates"))
    }
}
