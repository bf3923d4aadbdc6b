import COpenSSL
import Foundation

@testable import HTTP2Server

/// Certificates from scripts/test-certs.sh in a fresh directory, and an OpenSSL client for the other end of a
/// socket pair whose server end goes through `TLSTransport`.
enum TLSTestPeer {
    /// Runs scripts/test-certs.sh into a new temporary directory and returns it.
    static func makeCertificates() throws -> URL {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-unit-\(UUID())")
        let process = Process()
        process.executableURL = root.appendingPathComponent("scripts/test-certs.sh")
        process.arguments = [directory.path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        return directory
    }

    static func serverContext(_ certificates: URL) throws -> TLSContext {
        try TLSContext.load(
            TLSConfiguration(
                certificateFile: certificates.appendingPathComponent("server.pem").path,
                keyFile: certificates.appendingPathComponent("server.key").path
            )
        )
    }

    /// A blocking TLS client on `descriptor` that trusts the test CA and offers ALPN h2; nil when the handshake
    /// fails. The caller frees the session with `SSL_free` and the context with `SSL_CTX_free`.
    static func connect(_ descriptor: Int32, certificates: URL) -> (OpaquePointer, OpaquePointer)? {
        guard let context = SSL_CTX_new(TLS_client_method()) else { return nil }
        _ = SSL_CTX_load_verify_locations(context, certificates.appendingPathComponent("ca.pem").path, nil)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        guard let session = SSL_new(context) else {
            SSL_CTX_free(context)
            return nil
        }
        let alpn: [UInt8] = [2, UInt8(ascii: "h"), UInt8(ascii: "2")]
        _ = SSL_set_alpn_protos(session, alpn, UInt32(alpn.count))
        _ = SSL_set_fd(session, descriptor)
        guard SSL_connect(session) == 1 else {
            SSL_free(session)
            SSL_CTX_free(context)
            return nil
        }
        return (session, context)
    }
}
