// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "inlet",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Postgres", targets: ["Postgres"]),
        .library(name: "Inlet", targets: ["Inlet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
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
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: Pure domain core (no I/O)
        .target(
            name: "Inlet",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto")
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
            ]
        ),

        // MARK: Tests
        .testTarget(name: "PostgresTests", dependencies: ["Postgres"]),
        .testTarget(name: "InletTests", dependencies: ["Inlet"]),
        .testTarget(name: "InletStoreTests", dependencies: ["InletStore"]),
    ]
)
