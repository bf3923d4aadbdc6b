import COpenSSL
import Foundation
import Synchronization
import Testing

@testable import HTTP2Server

/// TLSTransport over a socket pair, against an OpenSSL client: bytes both ways, and the time limits a hostile client
/// meets (one that never reads, one that never speaks).
@Suite struct TLSTransportTests {
    let certificates: URL
    let context: TLSContext

    init() throws {
        certificates = try TLSTestPeer.makeCertificates()
        context = try TLSTestPeer.serverContext(certificates)
    }

    private func socketPair() throws -> (server: Int32, client: Int32) {
        var ends: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0)
        return (ends[0], ends[1])
    }

    @Test func bytesCrossBothWaysAndH2IsNegotiated() throws {
        let (server, client) = try socketPair()
        defer { close(server) }
        let payload = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let echoed = Mutex<[UInt8]?>(nil)
        let negotiated = Mutex<String?>(nil)
        let clientDone = DispatchSemaphore(value: 0)
        Thread { [certificates] in
            defer { clientDone.signal() }
            guard let (session, clientContext) = TLSTestPeer.connect(client, certificates: certificates) else { return }
            defer {
                SSL_free(session)
                SSL_CTX_free(clientContext)
                close(client)
            }
            var selected: UnsafePointer<UInt8>?
            var length: UInt32 = 0
            SSL_get0_alpn_selected(session, &selected, &length)
            let protocolName = selected.map {
                String(decoding: UnsafeBufferPointer(start: $0, count: Int(length)), as: UTF8.self)
            }
            negotiated.withLock { $0 = protocolName }
            guard payload.withUnsafeBytes({ SSL_write(session, $0.baseAddress, Int32($0.count)) }) > 0 else { return }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 16_384)
            while received.count < 5 {
                let count = SSL_read(session, &buffer, Int32(buffer.count))
                guard count > 0 else { return }
                received += buffer.prefix(Int(count))
            }
            echoed.withLock { $0 = received }
        }.start()
        let transport = try BlockingTLS.accept(descriptor: server, context: context, timeout: .seconds(10))
        var received: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
        defer { buffer.deallocate() }
        let deadline = ContinuousClock.now + .seconds(20)
        while received.count < payload.count && ContinuousClock.now < deadline {
            if !transport.hasPendingInput {
                _ = BlockingTLS.wait(server, events: Int16(POLLIN), until: deadline)
            }
            guard let count = try transport.receive(into: buffer) else { continue }
            try #require(count > 0, "the client closed early")
            received += buffer.prefix(count)
        }
        #expect(received == payload)
        #expect(try Array("hello".utf8).withUnsafeBytes { try transport.send($0) } == 5)
        clientDone.wait()
        #expect(echoed.withLock { $0 } == Array("hello".utf8))
        #expect(negotiated.withLock { $0 } == "h2")
    }

    @Test func aClientThatStopsReadingMakesSendsReturnNothingWithoutWaiting() throws {
        let (server, client) = try socketPair()
        defer {
            close(server)
            close(client)
        }
        let handshaken = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        Thread { [certificates] in
            let connected = TLSTestPeer.connect(client, certificates: certificates)
            handshaken.signal()
            release.wait()  // never reads
            if let (session, clientContext) = connected {
                SSL_free(session)
                SSL_CTX_free(clientContext)
            }
        }.start()
        defer { release.signal() }
        let transport = try BlockingTLS.accept(descriptor: server, context: context, timeout: .seconds(10))
        handshaken.wait()
        let record = [UInt8](repeating: 0x2a, count: 16 * 1024)
        let started = ContinuousClock.now
        var sent = 0
        while try record.withUnsafeBytes({ try transport.send($0) }) > 0 {
            sent += record.count
            try #require(sent < 64 * 1024 * 1024, "the socket never filled up")
        }
        #expect(transport.blockedOnWrite, "the loop is told to wait for room")
        #expect(ContinuousClock.now - started < .seconds(20), "no send waited")
    }

    @Test func aClientThatNeverSpeaksLeavesThePlaintextCheckPendingWithoutWaiting() throws {
        let (server, client) = try socketPair()
        defer {
            close(server)
            close(client)
        }
        _ = fcntl(server, F_SETFL, fcntl(server, F_GETFL) | O_NONBLOCK)
        let started = ContinuousClock.now
        #expect(try !TLSTransport.refusePlaintext(server))
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test func aPlaintextHTTP2ClientIsRefusedWithAGoaway() throws {
        let (server, client) = try socketPair()
        defer {
            close(server)
            close(client)
        }
        let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
        #expect(write(client, preface, preface.count) == preface.count)
        #expect {
            _ = try BlockingTLS.accept(descriptor: server, context: context, timeout: .seconds(5))
        } throws: { error in
            (error as? TLSHandshakeFailure)?.kind == .plaintext
        }
        var answer = [UInt8](repeating: 0, count: 512)
        let count = read(client, &answer, answer.count)
        #expect(count > 9 && answer[3] == 0x7, "a GOAWAY frame")
    }
}
