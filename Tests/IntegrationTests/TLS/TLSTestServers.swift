import EventCore
import Foundation
import Testing

/// The TLS listeners of the test stack (`scripts/stack.sh` with `RABBIT_TLS_PORT` and `CLICKHOUSE_HTTPS_PORT`) and
/// the certificates `scripts/test-certs.sh` made for them (`TLS_CERTS_DIR`, default the test stack's `certs`).
enum TLSTestServers {
    static var rabbitTLSPort: Int { TestServers.environment["RABBIT_TLS_PORT"].flatMap(Int.init) ?? 5683 }
    static var clickHouseHTTPSPort: Int {
        TestServers.environment["CLICKHOUSE_HTTPS_PORT"].flatMap(Int.init) ?? 8134
    }
    static var certificates: String {
        TestServers.environment["TLS_CERTS_DIR"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "../../../.run/test-stack/certs"
            ).standardized.path
    }

    /// `NAME.pem` (or another extension) in the certificates directory.
    static func file(_ name: String) -> String { "\(certificates)/\(name)" }

    /// Trust the test CA (or `ca`), optionally offering the test client certificate.
    static func settings(ca: String = "ca.pem", clientCertificate: Bool = false) -> TLSClientSettings {
        TLSClientSettings(
            caFile: file(ca),
            certificateFile: clientCertificate ? file("client.pem") : nil,
            keyFile: clientCertificate ? file("client.key") : nil
        )
    }

    static let runsTLSTests =
        TestServers.mustExist
        || (FileManager.default.fileExists(atPath: file("ca.pem"))
            && TestServers.isListening(host: "127.0.0.1", port: rabbitTLSPort)
            && TestServers.isListening(host: "127.0.0.1", port: clickHouseHTTPSPort))
}

extension Trait where Self == ConditionTrait {
    /// The suite talks to the test stack's TLS listeners.
    static var needsTLSListeners: Self {
        .enabled(
            if: TLSTestServers.runsTLSTests,
            "no TLS listeners with test certificates; start the stack with RABBIT_TLS_PORT and CLICKHOUSE_HTTPS_PORT"
        )
    }
}

/// `openssl s_server` presenting one of the test certificates (an expired one, one for another host name) on a
/// loopback port of its own: the TLS handshake is what is under test, so no broker or database is needed behind it.
final class TestTLSServer {
    let port: Int
    private let process: Process

    init(certificate: String) throws {
        // s_server's own report of its port is stuck in its stdout buffer when piped: choose a free port, then
        // wait until it accepts connections.
        let port = try ClickHouseTestSupport.unusedPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = [
            "s_server", "-accept", "127.0.0.1:\(port)", "-www", "-cert", TLSTestServers.file("\(certificate).pem"),
            "-key", TLSTestServers.file("\(certificate).key"),
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        self.port = port
        let deadline = ContinuousClock.now + .seconds(10)
        while !TestServers.isListening(host: "127.0.0.1", port: port) {
            guard process.isRunning, ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw TestTLSServerError(port: port)
            }
            usleep(20_000)
        }
    }

    deinit {
        // SIGKILL: the child inherits the test process's signal mask, in which SIGTERM may be blocked.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

struct TestTLSServerError: Error, CustomStringConvertible {
    var port: Int
    var description: String { "openssl s_server did not listen on 127.0.0.1:\(port) within 10 s" }
}
