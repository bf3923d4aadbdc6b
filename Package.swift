// swift-tools-version: 6.1
import PackageDescription

/// One settings list for every Swift target: Swift 6 language mode plus the upcoming features the
/// best server packages enable (explicit `any`, internal imports, member import visibility).
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// A library target under `Sources/Shared/<name>` (ARCHITECTURE.md draws the graph and the rule behind each arrow).
func shared(_ name: String, _ dependencies: [Target.Dependency] = []) -> Target {
    .target(name: name, dependencies: dependencies, path: "Sources/Shared/\(name)", swiftSettings: swiftSettings)
}

/// The unit tests of one library target, under `Tests/<name>Tests`: no sockets to servers, no servers.
func unitTests(_ name: String, _ dependencies: [Target.Dependency], resources: [Resource]? = nil) -> Target {
    .testTarget(name: "\(name)Tests", dependencies: dependencies, resources: resources, swiftSettings: swiftSettings)
}

let package = Package(
    name: "event-grpc",
    products: [
        .executable(name: "IngestGateway", targets: ["IngestGateway"]),
        .executable(name: "SinkWorker", targets: ["SinkWorker"]),
        .executable(name: "BenchRawPublisher", targets: ["BenchRawPublisher"]),
        .executable(name: "BenchSinkDecode", targets: ["BenchSinkDecode"]),
    ],
    targets: [
        // C libraries from Debian, wrapped with typed shims (no logic). Each has one owner target.
        .systemLibrary(name: "CRabbitMQ", pkgConfig: "librabbitmq", providers: [.apt(["librabbitmq-dev"])]),
        .systemLibrary(name: "CNghttp2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),

        // Layer 0: what every process needs (lifecycle, concurrency, logs, metrics, environment, sockets, admin).
        shared("EventCore"),
        // Layer 0: the wire formats; the standard library only.
        shared("EventWire"),
        // Layer 1: transports and clients, each the only importer of its C library.
        shared("HTTP2Server", ["EventCore", "CNghttp2", "COpenSSL"]),
        shared("GRPCServer", ["EventCore", "HTTP2Server", "CZlib"]),
        shared("AMQPClient", ["EventCore", "CRabbitMQ"]),
        shared("ClickHouseClient", ["EventCore", "CCurl"]),
        // Layer 2: the families, exchanges and queues both binaries read.
        shared("EventTopology", ["EventCore", "AMQPClient"]),
        // Layer 3: the two pipelines; they know no transport above them (no gRPC status, no HTTP field).
        shared("IngestPipeline", ["EventCore", "EventWire", "AMQPClient"]),
        shared("SinkPipeline", ["EventCore", "EventWire", "AMQPClient", "ClickHouseClient", "EventTopology"]),

        // The two deployable processes: `main.swift` only wires.
        .executableTarget(
            name: "IngestGateway",
            dependencies: [
                "EventCore", "EventWire", "HTTP2Server", "GRPCServer", "AMQPClient", "EventTopology", "IngestPipeline",
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SinkWorker",
            dependencies: [
                "EventCore", "EventWire", "AMQPClient", "ClickHouseClient", "EventTopology", "SinkPipeline",
            ],
            swiftSettings: swiftSettings
        ),
        // `make bench`: the raw-broker ceiling (rabbitmq-c alone, the gateway's bytes and confirm grouping).
        .executableTarget(
            name: "BenchRawPublisher",
            dependencies: ["EventCore", "EventWire", "IngestPipeline", "CRabbitMQ"],
            swiftSettings: swiftSettings
        ),
        // The sink worker's CPU per row for decoding a broker message into JSONEachRow rows (no server needed).
        .executableTarget(
            name: "BenchSinkDecode",
            dependencies: ["EventWire", "AMQPClient", "SinkPipeline"],
            swiftSettings: swiftSettings
        ),

        // Helpers shared by several test targets.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: swiftSettings),
        unitTests("EventCore", ["EventCore", "TestSupport"]),
        unitTests("EventWire", ["EventWire", "TestSupport"], resources: [.copy("Golden")]),
        // Pure parts, and TLSTransport against an OpenSSL client over socket pairs (certificates from
        // scripts/test-certs.sh).
        unitTests("HTTP2Server", ["HTTP2Server", "COpenSSL"]),
        // The router alone, and over real HTTP/2 connections (socketpairs, an nghttp2 test client, seeded fuzzing).
        unitTests("GRPCServer", ["GRPCServer", "HTTP2Server", "EventWire", "EventCore", "TestSupport", "CNghttp2"]),
        unitTests("AMQPClient", ["AMQPClient", "EventCore"]),
        unitTests("ClickHouseClient", ["ClickHouseClient", "EventCore"]),
        unitTests("EventTopology", ["EventTopology", "AMQPClient", "EventCore"]),
        unitTests(
            "IngestPipeline",
            ["IngestPipeline", "EventWire", "AMQPClient", "EventCore", "TestSupport"],
            resources: [.copy("Spool/Golden")]
        ),
        unitTests(
            "SinkPipeline",
            [
                "SinkPipeline", "EventWire", "AMQPClient", "ClickHouseClient", "EventTopology", "EventCore",
                "TestSupport",
            ]
        ),
        unitTests(
            "IngestGateway",
            ["IngestGateway", "EventCore", "IngestPipeline", "HTTP2Server", "GRPCServer", "AMQPClient", "TestSupport"]
        ),
        unitTests(
            "SinkWorker",
            ["SinkWorker", "EventCore", "SinkPipeline", "ClickHouseClient", "AMQPClient", "TestSupport"]
        ),
        // Integration tests against a real RabbitMQ and ClickHouse (see scripts/stack.sh).
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "EventCore", "EventWire", "AMQPClient", "ClickHouseClient", "EventTopology", "SinkPipeline",
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
