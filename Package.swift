// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "inlet",
    // Linux only: the driver's reactor is built on epoll (no `platforms` entry claims otherwise).
    products: [
        .executable(name: "inlet-server", targets: ["inlet-server"]),
        .executable(name: "inlet-worker", targets: ["inlet-worker"]),
        .executable(name: "inlet", targets: ["inlet-cli"]),
        .library(name: "Postgres", targets: ["Postgres"]),
        .library(name: "Inlet", targets: ["Inlet"]),
        .library(name: "InletWorker", targets: ["InletWorker"]),
        .library(name: "InletClient", targets: ["InletClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: []),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // OTLP over HTTP only: the gRPC exporter would pull grpc-swift into every build.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // MARK: Database driver (knows nothing about Inlet)
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        .target(
            name: "Postgres",
            dependencies: [
                "CLibPQ",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),

        // MARK: Pure domain core (no I/O)
        .target(
            name: "Inlet",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto")
            ]
        ),

        // MARK: Settings of both executables (environment variables and secret files, via swift-configuration)
        .target(
            name: "InletConfiguration",
            dependencies: [.product(name: "Configuration", package: "swift-configuration")]
        ),

        // MARK: Tracing: the OTLP exporter, switched on by the standard OTEL_* variables (both executables)
        .target(
            name: "InletTelemetry",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),

        // MARK: Persistence
        .target(
            name: "InletStore",
            dependencies: [
                "Inlet",
                "Postgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),

        // MARK: HTTP API
        .target(
            name: "InletHTTP",
            dependencies: [
                "Inlet",
                "InletConfiguration",
                "InletStore",
                "Postgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The console's source files; scripts/console-assets embeds them in ConsoleAssets+Files.swift.
            exclude: ["Console/Assets"]
        ),

        // MARK: Worker
        .target(
            name: "InletWorker",
            dependencies: [
                "Inlet",
                "InletConfiguration",
                "InletStore",
                "Postgres",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),

        // MARK: Executables
        .executableTarget(
            name: "inlet-server",
            dependencies: [
                "Inlet",
                "InletConfiguration",
                "InletHTTP",
                "InletStore",
                "InletTelemetry",
                "Postgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "inlet-worker",
            dependencies: [
                "Inlet",
                "InletConfiguration",
                "InletStore",
                "InletTelemetry",
                "InletWorker",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: API client (knows only the HTTP API: openapi.json)
        // Generated/ is swift-openapi-generator's output, committed; scripts/openapi-client regenerates and checks it.
        .target(
            name: "InletClient",
            dependencies: [
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ]
        ),
        // The `inlet` command-line client: the public API through InletClient, never the database.
        .executableTarget(
            name: "inlet-cli",
            dependencies: [
                "InletClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ]
        ),

        .executableTarget(
            name: "inlet-bench",
            dependencies: [
                "Inlet",
                "InletTestSupport",
                "Postgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Shared test support (a library only test targets depend on)
        .target(name: "InletTestSupport", dependencies: ["Inlet", "InletStore", "Postgres"]),

        // MARK: Tests
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "InletTestSupport"]),
        .testTarget(name: "InletTests", dependencies: ["Inlet", "InletTestSupport"]),
        .testTarget(name: "InletStoreTests", dependencies: ["Inlet", "InletStore", "InletTestSupport", "Postgres"]),
        .testTarget(
            name: "InletHTTPTests",
            dependencies: [
                "Inlet",
                "InletConfiguration",
                "InletHTTP",
                "InletStore",
                "InletTestSupport",
                "Postgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "InletWorkerTests",
            dependencies: [
                "Inlet",
                "InletConfiguration",
                "InletHTTP",
                "InletStore",
                "InletTelemetry",
                "InletTestSupport",
                "InletWorker",
                "Postgres",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "InletClientTests",
            dependencies: [
                "InletClient",
                "InletTestSupport",
                "Postgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)
