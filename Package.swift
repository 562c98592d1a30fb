// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "credit-recon",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "credit-recon", targets: ["credit-recon"]),
        .executable(name: "openrouter-sim", targets: ["openrouter-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // libsqlite3 through a module map; only `Ledger` imports it.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // Exact money and timestamps, shared by the ledger, the client and the simulator.
        .target(name: "CreditTypes"),
        .target(
            name: "ConnectionErrors",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]
        ),
        .target(
            name: "Ledger",
            dependencies: [
                "CSQLite",
                "ConnectionErrors",
                "CreditTypes",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "OpenRouterAPI",
            dependencies: [
                "ConnectionErrors",
                "CreditTypes",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "CreditRecon",
            dependencies: [
                "CreditTypes",
                "Ledger",
                "OpenRouterAPI",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "OpenRouterSimulator",
            dependencies: [
                "CreditTypes",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "credit-recon",
            dependencies: [
                "CreditRecon",
                "CreditTypes",
                "Ledger",
                "OpenRouterAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "openrouter-sim",
            dependencies: [
                "OpenRouterSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `make bench` only (scripts/bench/usage.sh): key readings appended to a bench ledger
        // through the ledger's write path, since nothing imports them. Not a product.
        .executableTarget(name: "bench-key-readings", dependencies: ["CreditTypes", "Ledger"]),
        // Starts the throwaway PostgreSQL server the tests use (scripts/throwaway-postgres.sh).
        .target(name: "PostgresHarness", path: "Tests/PostgresHarness"),
        // `waitUntil`, for the test targets that wait in async code.
        .target(name: "AsyncWait", path: "Tests/AsyncWait"),
        .testTarget(
            name: "LedgerTests",
            dependencies: [
                "Ledger", "CreditTypes", "CSQLite", "ConnectionErrors", "PostgresHarness", "AsyncWait",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "CreditTypesTests", dependencies: ["CreditTypes"]),
        .testTarget(
            name: "CreditReconTests",
            dependencies: [
                "CreditRecon", "CreditTypes", "Ledger", "OpenRouterAPI", "OpenRouterSimulator", "AsyncWait",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "OpenRouterAPITests",
            dependencies: [
                "OpenRouterAPI", "OpenRouterSimulator", "CreditTypes", "PostgresHarness", "AsyncWait",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "OpenRouterSimulatorTests",
            dependencies: [
                "OpenRouterSimulator",
                "CreditTypes",
                "AsyncWait",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "EndToEndTests", dependencies: ["CreditTypes", "PostgresHarness", "AsyncWait"]),
    ]
)
