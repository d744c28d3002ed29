// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

// The release `coffer` link on Linux (see the `coffer` target): static Swift runtime and Foundation, lld, packed
// relocations, no exported symbols, start-up functions first. Built in steps: as one expression it type-checks slowly.
let cofferStaticLibraries: [String] = [
    "Foundation", "FoundationEssentials", "FoundationInternationalization", "_FoundationICU", "_FoundationCollections",
    "_FoundationCShims", "CoreFoundation", "swiftCore", "stdc++", "swiftDispatch", "dispatch", "BlocksRuntime",
]
let cofferLinkerOptions: [String] = [
    "--no-export-dynamic", "-z", "pack-relative-relocs", "--no-warn-symbol-ordering",
    "--symbol-ordering-file=" + Context.packageDirectory + "/Sources/coffer/startup.order",
]
let cofferReleaseLinkerFlags: [String] =
    ["-static-stdlib", "-use-ld=lld"] + cofferStaticLibraries.map { "-l" + $0 }.flatMap { ["-Xlinker", $0] }
    + cofferLinkerOptions.flatMap { ["-Xlinker", $0] }

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
        .library(name: "CofferConfig", targets: ["CofferConfig"]),
        .library(name: "AzureKit", targets: ["AzureKit"]),
        .library(name: "UserpassAuth", targets: ["UserpassAuth"]),
        .library(name: "AppRoleAuth", targets: ["AppRoleAuth"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", exact: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", exact: "5.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", exact: "2.5.0"),
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
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // The PostgreSQL implementation of the storage contract (storage "postgresql"); only the `coffer`
        // executable (and the tests that exercise it) link PostgresNIO.
        .target(
            name: "CofferPostgres",
            dependencies: [
                "CofferStorage",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // JSON values, a strict parser and Go-compatible serialisation; no dependencies, shared by every layer.
        .target(name: "CofferJSON", swiftSettings: swiftSettings),
        // The build date (`CofferBuildInfo.date`), generated by the BuildDate plugin from the commit time of HEAD.
        .target(name: "CofferBuildInfo", swiftSettings: swiftSettings, plugins: ["BuildDate"]),
        .plugin(name: "BuildDate", capability: .buildTool()),
        // The server configuration file's typed reader: each key declared once with its type, default and doc
        // (also `coffer server -help`), and the environment fallbacks.
        .target(name: "CofferConfig", dependencies: ["CofferJSON"], swiftSettings: swiftSettings),
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
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // Audit devices write files on NIO's thread pool and reach socket devices with NIO.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CofferHTTP",
            dependencies: [
                "CofferBuildInfo", "CofferCore", "CofferFramework",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CofferClient",
            dependencies: [
                "CofferJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Azure: clouds, Entra ID token verification, ARM/Graph clients, credentials, retries.
        .target(
            name: "AzureKit",
            dependencies: [
                "CofferJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
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
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // The userpass auth method backend (mount type "userpass"): passwords kept as bcrypt hashes.
        .target(
            name: "UserpassAuth",
            dependencies: [
                "CofferFramework", "CofferStorage",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The AppRole auth method backend (mount type "approle"): secret ids kept only as salted HMACs.
        .target(
            name: "AppRoleAuth",
            dependencies: [
                "CofferFramework", "CofferStorage",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // A local Azure tenant (Entra ID, ARM, Graph, IMDS) for tests, benchmarks and `coffer azure-sim`.
        .target(
            name: "AzureSimulator",
            dependencies: [
                "CofferJSON",
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
                "CofferConfig", "CofferHTTP", "CofferCore", "CofferStorage", "CofferSQLite", "CofferPostgres",
                "CofferFramework", "KVSecrets", "CofferClient", "AzureAuth", "AzureSimulator",
                "UserpassAuth",
                "AppRoleAuth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            exclude: ["startup.order"],
            swiftSettings: swiftSettings,
            // The release server links the Swift runtime and Foundation statically: only the code it uses is kept and
            // no shared library is relocated at start (~4 MB of idle RSS). It is linked by lld (the toolchain's), which
            // packs the ~150,000 relative relocations of a position-independent binary into a 30 KB table instead
            // of 3.5 MB read at every start (-z pack-relative-relocs, glibc ≥ 2.36), exports no symbols (the static
            // stdlib's link arguments ask for -export-dynamic, whose 2 MB symbol table the loader searched), and
            // places the functions a fresh server runs first (startup.order, from Benchmarks/memory/startup-order.sh)
            // so that they share a few pages instead of touching ~250 of the code's 64 KB windows. docs/building.md.
            linkerSettings: [
                .unsafeFlags(cofferReleaseLinkerFlags, .when(platforms: [.linux], configuration: .release))
            ]
        ),
        // The seed's Go example in Swift: log in from Azure, read KV v2 `secret/creds`, print `password`.
        .executableTarget(
            name: "GetSecretWithAzureAuth",
            dependencies: ["CofferClient"],
            path: "Examples/GetSecretWithAzureAuth",
            swiftSettings: swiftSettings
        ),
        // What every test target shares: the core harness and the test-only auth method, the Azure harness and offline
        // services, the simulator estates (ids written once), a manual clock, and a runner for the real `coffer`
        // binary. No product depends on it.
        .target(
            name: "CofferTesting",
            dependencies: [
                "CofferCore", "CofferFramework", "CofferStorage", "KVSecrets", "AzureAuth", "AzureKit",
                "AzureSimulator", "CofferClient", "CofferHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CofferStorageTests",
            dependencies: [
                // CofferCore for HAElectionTests, which need the PostgreSQL test database these tests share.
                "CofferStorage", "CofferSQLite", "CofferPostgres", "CofferTesting", "CofferCore",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CofferPolicyTests", dependencies: ["CofferPolicy", "CofferJSON"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CofferConfigTests", dependencies: ["CofferConfig", "CofferJSON", "CofferTesting"],
            swiftSettings: swiftSettings),
        .testTarget(name: "CofferJSONTests", dependencies: ["CofferJSON"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CofferFrameworkTests", dependencies: ["CofferFramework", "CofferStorage", "CofferTesting"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "KVSecretsTests", dependencies: ["KVSecrets", "CofferFramework", "CofferStorage", "CofferTesting"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CofferCoreTests",
            dependencies: [
                "CofferCore", "CofferFramework", "CofferPolicy", "CofferStorage", "CofferSQLite", "CofferTesting",
                "KVSecrets",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CofferHTTPTests",
            dependencies: [
                "CofferHTTP", "CofferCore", "CofferClient", "CofferTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "AzureSimulatorTests",
            dependencies: [
                "AzureSimulator", "CofferTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "AzureKitTests",
            dependencies: [
                "AzureKit", "AzureSimulator", "CofferTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "AzureAuthTests",
            dependencies: [
                "AzureAuth", "AzureKit", "AzureSimulator", "CofferCore", "CofferFramework", "CofferStorage",
                "CofferTesting", "KVSecrets",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "UserpassAuthTests",
            dependencies: ["UserpassAuth", "CofferCore", "CofferFramework", "CofferStorage", "CofferTesting"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "AppRoleAuthTests",
            dependencies: ["AppRoleAuth", "CofferCore", "CofferFramework", "CofferStorage", "CofferTesting"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "CofferClient", "CofferTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings),
    ]
)

// Benchmarks are part of the package only when COFFER_BENCHMARKS is set (as Hummingbird gates its own), so
// `swift build` of the product compiles no benchmark code, while `COFFER_BENCHMARKS=1 swift build -c release`
// reuses the same .build directory and release-built dependencies. Benchmarks/*/run.sh set it.
if Context.environment["COFFER_BENCHMARKS"] != nil {
    package.targets += [
        // Azure login throughput against the simulator, beside a bare RS256-verifying route on the same HTTP
        // stack (driven by wrk; Benchmarks/LoginBenchmark/run.sh).
        .executableTarget(
            name: "LoginBenchmark",
            dependencies: [
                "AzureAuth", "AzureKit", "AzureSimulator", "CofferCore", "CofferHTTP", "CofferFramework",
                "CofferStorage",
                "CofferTesting", "KVSecrets",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "Benchmarks/LoginBenchmark",
            exclude: ["run.sh"],
            swiftSettings: swiftSettings
        ),
        // In-process micro-benchmarks of the JSON parser and writers, timestamps and the router, each beside
        // the obvious alternative (Benchmarks/Micro/run.sh).
        .executableTarget(
            name: "CofferMicroBenchmarks",
            dependencies: ["CofferJSON", "CofferCore", "CofferFramework", "CofferStorage", "KVSecrets"],
            path: "Benchmarks/Micro",
            exclude: ["run.sh"],
            swiftSettings: swiftSettings
        ),
    ]
}
