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

let package = Package(
    name: "event-grpc",
    products: [
        .executable(name: "IngestGateway", targets: ["IngestGateway"]),
        .executable(name: "SinkWorker", targets: ["SinkWorker"]),
        .executable(name: "BenchRawPublisher", targets: ["BenchRawPublisher"]),
        .library(name: "Shared", targets: ["Shared"]),
    ],
    targets: [
        // C libraries from Debian, wrapped with typed shims (no logic).
        .systemLibrary(
            name: "CRabbitMQ",
            pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]
        ),
        .systemLibrary(
            name: "CNghttp2",
            pkgConfig: "libnghttp2",
            providers: [.apt(["libnghttp2-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        // Domain, wire codecs and clients shared by both binaries.
        .target(
            name: "Shared",
            dependencies: ["CRabbitMQ", "CNghttp2", "CCurl", "CZlib"],
            swiftSettings: swiftSettings
        ),

        // The two deployable processes: `main.swift` only wires.
        .executableTarget(
            name: "IngestGateway",
            dependencies: ["Shared"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SinkWorker",
            dependencies: ["Shared"],
            swiftSettings: swiftSettings
        ),
        // `make bench`: the raw-broker ceiling (rabbitmq-c alone, the gateway's bytes and confirm grouping).
        .executableTarget(
            name: "BenchRawPublisher",
            dependencies: ["Shared", "CRabbitMQ"],
            swiftSettings: swiftSettings
        ),

        // Unit tests: no sockets, no servers.
        .testTarget(
            name: "SharedTests",
            dependencies: ["Shared", "CNghttp2"],
            resources: [.copy("Wire/Golden")],
            swiftSettings: swiftSettings
        ),
        // Integration tests against a real RabbitMQ and ClickHouse (see scripts/stack.sh).
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["Shared"],
            swiftSettings: swiftSettings
        ),
    ]
)
