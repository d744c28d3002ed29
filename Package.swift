// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "Coffer",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "coffer", targets: ["coffer"]),
        .library(name: "CofferClient", targets: ["CofferClient"]),
        .executable(name: "GetSecretWithAzureAuth", targets: ["GetSecretWithAzureAuth"]),
        // For the fuzz package in Fuzz/, which depends on this one by path and can only use products.
        .library(name: "CofferJSON", targets: ["CofferJSON"]),
        .library(name: "CofferStorage", targets: ["CofferStorage"]),
        .library(name: "CofferFramework", targets: ["CofferFramework"]),
        .library(name: "CofferPolicy", targets: ["CofferPolicy"]),
        .library(name: "CofferCore", targets: ["CofferCore"]),
        .library(name: "CofferHTTP", targets: ["CofferHTTP"]),
        .library(name: "AzureKit", targets: ["AzureKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", exact: "1.13.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", exact: "5.8.0"),
        .package(url: "https://github.com/swift-extras/swift-extras-base64", from: "1.2.0"),
    ],
    targets: [
        // Storage: the Physical key/value contract, its in-memory implementation and cache, and the
        // AES-256-GCM barrier every backend's data passes through. No database driver: backends link only this.
        .target(
            name: "CofferStorage",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // The embedded SQLite implementation of the storage contract; only the `coffer` executable (and the tests
        // that exercise it) link SQLiteNIO.
        .target(
            name: "CofferSQLite",
            dependencies: [
                "CofferStorage",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // JSON values, a strict parser and Go-compatible serialisation; no dependencies, shared by every layer.
        .target(name: "CofferJSON", swiftSettings: swiftSettings),
        // Vault's HCL policy subset, the JSON form, and ACL evaluation with Vault's priority rules.
        .target(name: "CofferPolicy", dependencies: ["CofferJSON"], swiftSettings: swiftSettings),
        // The backend framework: logical requests/responses, typed fields, paths, operations.
        .target(
            name: "CofferFramework",
            dependencies: ["CofferJSON", "CofferStorage"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KVSecrets",
            dependencies: ["CofferFramework", "CofferStorage"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CofferCore",
            dependencies: [
                "CofferFramework", "CofferStorage", "CofferPolicy",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CofferHTTP",
            dependencies: [
                "CofferCore", "CofferFramework",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CofferClient",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Azure: clouds, Entra ID token verification, ARM/Graph clients, credentials, retries.
        .target(
            name: "AzureKit",
            dependencies: [
                "CofferJSON",
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Azure auth method backend (mount type "azure").
        .target(
            name: "AzureAuth",
            dependencies: [
                "AzureKit", "CofferFramework", "CofferStorage",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // A local Azure tenant (Entra ID, ARM, Graph, IMDS) for tests, benchmarks and `coffer azure-sim`.
        .target(
            name: "AzureSimulator",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "coffer",
            dependencies: [
                "CofferHTTP", "CofferCore", "CofferStorage", "CofferSQLite", "CofferFramework", "KVSecrets", "CofferClient",
                "AzureAuth", "AzureSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The seed's Go example in Swift: log in from Azure, read KV v2 `secret/creds`, print `password`.
        .executableTarget(
            name: "GetSecretWithAzureAuth",
            dependencies: ["CofferClient"],
            path: "Examples/GetSecretWithAzureAuth",
            swiftSettings: swiftSettings
        ),
        // `swift run -c release LoginBenchmark`: Azure login throughput against the simulator, beside a
        // bare RS256-verifying route on the same HTTP stack (driven by wrk).
        .executableTarget(
            name: "LoginBenchmark",
            dependencies: [
                "AzureAuth", "AzureKit", "AzureSimulator", "CofferCore", "CofferHTTP", "CofferFramework",
                "CofferStorage",
                "KVSecrets",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "Benchmarks/LoginBenchmark",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CofferStorageTests", dependencies: ["CofferStorage", "CofferSQLite"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CofferPolicyTests", dependencies: ["CofferPolicy", "CofferJSON"], swiftSettings: swiftSettings),
        .testTarget(name: "CofferJSONTests", dependencies: ["CofferJSON"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CofferFrameworkTests", dependencies: ["CofferFramework", "CofferStorage"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "KVSecretsTests", dependencies: ["KVSecrets", "CofferFramework", "CofferStorage"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CofferCoreTests",
            dependencies: [
                "CofferCore", "CofferFramework", "CofferPolicy", "CofferStorage", "CofferSQLite", "KVSecrets",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CofferHTTPTests",
            dependencies: [
                "CofferHTTP", "CofferCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "AzureSimulatorTests",
            dependencies: [
                "AzureSimulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "AzureKitTests",
            dependencies: [
                "AzureKit", "AzureSimulator", .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "AzureAuthTests",
            dependencies: [
                "AzureAuth", "AzureKit", "AzureSimulator", "CofferCore", "CofferFramework", "CofferStorage",
                "KVSecrets",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "CofferClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings),
    ]
)
