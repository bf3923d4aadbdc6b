import Foundation
import Testing

/// Addresses of the real servers the integration tests use, from the environment with the loopback defaults
/// of the test stack (`scripts/stack.sh`, started by `make test`).
enum TestServers {
    static let environment = ProcessInfo.processInfo.environment

    static var rabbitHost: String { environment["RABBIT_HOST"] ?? "127.0.0.1" }
    static var rabbitPort: Int { environment["RABBIT_PORT"].flatMap(Int.init) ?? 5682 }
    static var rabbitUser: String { environment["RABBIT_USER"] ?? "guest" }
    static var rabbitPassword: String { environment["RABBIT_PASSWORD"] ?? "guest" }
    static var clickHouseHost: String { environment["CLICKHOUSE_HOST"] ?? "127.0.0.1" }
    static var clickHousePort: Int { environment["CLICKHOUSE_PORT"].flatMap(Int.init) ?? 8133 }

    /// Under `CI=true` a missing server is a failure, never a silent skip.
    static var mustExist: Bool { environment["CI"] == "true" || environment["INTEGRATION"] == "required" }

    /// True when something accepts TCP connections on `host:port`.
    static func isListening(host: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0
    }

    /// Whether the tests that need RabbitMQ can run; records a failure when the server is missing under CI.
    static func rabbitAvailable() -> Bool {
        available("RabbitMQ", host: rabbitHost, port: rabbitPort)
    }

    /// Whether the tests that need ClickHouse can run; records a failure when the server is missing under CI.
    static func clickHouseAvailable() -> Bool {
        available("ClickHouse", host: clickHouseHost, port: clickHousePort)
    }

    private static func available(_ name: String, host: String, port: Int) -> Bool {
        if isListening(host: host, port: port) { return true }
        if mustExist {
            Issue.record("\(name) is not listening on \(host):\(port); start it with `make stack-up`")
        }
        return false
    }
}
